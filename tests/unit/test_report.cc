// Tests of the report: the --json format is a stable interface (version 1), and the
// services it groups by what happens to them.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "report.h"

using namespace zsv;

TEST_CASE("names_by_action groups the services as the post-apply variables do") {
  std::vector<Action> actions = {
      {"new", "create", ""},           {"newdown", "create", "down"},
      {"newman", "create", "manual"},  {"edited", "update", "run"},
      {"bounced", "restart", "run"},   {"gone", "remove", ""},
      {"flipped", "up", "condition true"}, {"dropped", "down", "condition false"},
      {"bounced", "up", "condition true"}, {".x.zsv-new", "cleanup", "left by an interrupted run"},
  };
  ActionNames n = names_by_action(actions);
  CHECK(n.created == std::vector<std::string>{"new", "newdown", "newman"});
  CHECK(n.changed == std::vector<std::string>{"bounced", "edited"});
  CHECK(n.restarted == std::vector<std::string>{"bounced"});
  CHECK(n.removed == std::vector<std::string>{"gone"});
  CHECK(n.started == std::vector<std::string>{"bounced", "flipped", "new"});
  CHECK(n.stopped == std::vector<std::string>{"dropped"});
}

TEST_CASE("json_report: version 1 and every field tools read") {
  Report r;
  r.dry_run = true;
  r.exit_status = 3;
  r.services = 3;
  r.failed = 1;
  r.failed_services = {"bad"};
  r.actions = {{"a", "create", ""}, {"b", "down", "condition false"}};
  r.diags = {make_diagnostic(Severity::error, {"/etc/svtab", 2, 1}, "boom", "bad::run=(", "zsh said\xff")};
  r.diffs = {{"a", "run", "--- a/run\n+++ a/run\n@@ line 1 @@\n+x\n"}};
  auto j = nlohmann::json::parse(json_report(r));
  CHECK(j["version"] == 1);
  CHECK(j["dry_run"] == true);
  CHECK(j["exit_status"] == 3);
  CHECK(j["services"] == 3);
  CHECK(j["failed"] == 1);
  CHECK(j["failed_services"] == nlohmann::json::array({"bad"}));
  CHECK(j["actions"][1] == nlohmann::json({{"service", "b"}, {"action", "down"}, {"detail", "condition false"}}));
  CHECK(j["created"] == nlohmann::json::array({"a"}));
  CHECK(j["started"] == nlohmann::json::array({"a"}));
  CHECK(j["stopped"] == nlohmann::json::array({"b"}));
  CHECK(j["changed"].empty());
  CHECK(j["restarted"].empty());
  CHECK(j["removed"].empty());
  const auto& d = j["diagnostics"][0];
  CHECK(d["file"] == "/etc/svtab");
  CHECK(d["line"] == 2);
  CHECK(d["col"] == 1);
  CHECK(d["severity"] == "error");
  CHECK(d["message"] == "boom");
  // The text is what zsvgen prints without --json; a byte that is not UTF-8 is replaced.
  CHECK(d["text"] == "/etc/svtab:2:1: error: boom\n  bad::run=(\n  ^\n    zsh said\xef\xbf\xbd\n");
  CHECK(j["diffs"][0] == nlohmann::json({{"service", "a"}, {"path", "run"}, {"diff", "--- a/run\n+++ a/run\n@@ line 1 @@\n+x\n"}}));
}
