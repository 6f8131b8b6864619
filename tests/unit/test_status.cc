// Tests of --status: the marks where reality and zsv disagree, the table, the JSON,
// and the settings lib/zsv_settings prints.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "settings.h"
#include "status.h"

using namespace zsv;

namespace {

constexpr long long now = 1'700'000'100;

ServiceStatus runit(pid_t pid, char want, int state, long long since = now - 100) {
  ServiceStatus s;
  s.pid = pid;
  s.want = want;
  s.state = state;
  s.since = since;
  return s;
}

StatusRow row(const std::string& name, Want want, Condition c, std::optional<ServiceStatus> st) {
  StatusRow r;
  r.name = name;
  r.in_tree = r.ours = r.in_svtab = true;
  r.source = "/etc/svtab:1";
  r.want = want;
  r.flags = "Emn";
  r.condition = c;
  r.runsv = st.has_value();
  r.runit = st;
  return r;
}

std::vector<std::string> ids(const StatusRow& r, long long now = 1000) {
  std::vector<std::string> out;
  for (const Mark& m : marks_of(r, now)) out.push_back(m.id);
  return out;
}

}  // namespace

TEST_CASE("status: marks name each disagreement") {
  StatusRow foreign;
  foreign.name = "x";
  foreign.in_tree = true;
  StatusRow missing;
  missing.name = "y";
  missing.in_svtab = true;
  StatusRow orphan = row("o", Want::up, Condition::holds, runit(7, 'u', 1));
  orphan.in_svtab = false;
  StatusRow looping = row("l", Want::up, Condition::holds, runit(0, 'u', 0));
  looping.restarting = true;
  struct Case {
    const char* name;
    StatusRow row;
    std::vector<std::string> marks;
  };
  std::vector<Case> cases{
      {"running as wished", row("a", Want::up, Condition::holds, runit(7, 'u', 1)), {}},
      {"down as wished", row("a", Want::down, Condition::fails, runit(0, 'd', 0)), {}},
      {"stopped by hand", row("a", Want::up, Condition::holds, runit(0, 'd', 0)), {"stopped-by-hand"}},
      {"started by hand", row("a", Want::down, Condition::fails, runit(7, 'u', 1)), {"unwanted"}},
      {"no runsv", row("a", Want::up, Condition::holds, std::nullopt), {"no-runsv"}},
      {"restarting", looping, {"restarting"}},
      {"condition now false", row("a", Want::up, Condition::fails, runit(7, 'u', 1)), {"pending"}},
      {"condition timed out", row("a", Want::up, Condition::timed_out, runit(7, 'u', 1)), {"pending"}},
      {"condition now true", row("a", Want::down, Condition::holds, runit(0, 'd', 0)), {"pending"}},
      {"manual: no wish to disagree with", row("a", Want::manual, Condition::holds, runit(7, 'u', 1)), {}},
      {"manual stopped", row("a", Want::manual, Condition::fails, runit(0, 'd', 0)), {}},
      {"not zsv's", foreign, {"not-zsv"}},
      {"in svtab only", missing, {"not-created"}},
      {"not in svtab", orphan, {"not-in-svtab"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK(ids(c.row) == c.marks);
  }
}

TEST_CASE("status: durations read at a glance") {
  CHECK(duration_text(0) == "0s");
  CHECK(duration_text(59) == "59s");
  CHECK(duration_text(192) == "3m12s");
  CHECK(duration_text(7500) == "2h05m");
  CHECK(duration_text(4 * 86400 + 3 * 3600 + 5) == "4d03h");
  CHECK(duration_text(-1) == "-");
}

TEST_CASE("status: the table is aligned, coloured only when asked") {
  std::vector<StatusRow> rows{row("sshd", Want::up, Condition::holds, runit(812, 'u', 1, now - 7500)),
                              row("dhcpcd.eth0", Want::up, Condition::holds, runit(0, 'd', 0, now - 5))};
  std::string table = status_table(rows, now, false);
  CHECK(table ==
        "SERVICE      CONDITION  WANT  STATE  PID  FOR    FLAGS  NOTE\n"
        "sshd         holds      up    run    812  2h05m  Emn\n"
        "dhcpcd.eth0  holds      up    down   -    5s     Emn    stopped by hand\n");
  CHECK(table.find('\x1b') == std::string::npos);
  std::string coloured = status_table(rows, now, true);
  CHECK(coloured.find("\x1b[32mholds\x1b[0m     ") != std::string::npos);
  CHECK(coloured.find("\x1b[1;31mstopped by hand\x1b[0m") != std::string::npos);
}

TEST_CASE("status: the JSON fields are stable") {
  StatusRow foreign;
  foreign.name = "x";
  foreign.in_tree = true;
  auto j = nlohmann::ordered_json::parse(
      status_json({row("sshd", Want::up, Condition::holds, runit(812, 'u', 1, now - 40)), foreign}, now));
  CHECK(j["time"] == now);
  const auto& s = j["services"][0];
  CHECK(s.dump() ==
        R"({"name":"sshd","zsv":true,"in_svtab":true,"source":"/etc/svtab:1","condition":"holds",)"
        R"("want":"up","flags":"Emn","runsv":true,"state":"run","pid":812,"since":1700000060,)"
        R"("seconds":40,"runit_want":"up","backoff":null,"marks":[],"notes":[]})");
  const auto& f = j["services"][1];
  CHECK(f["zsv"] == false);
  CHECK(f["condition"].is_null());
  CHECK(f["state"].is_null());
  CHECK(f["marks"] == nlohmann::json::array({"not-zsv"}));
  CHECK(f["notes"] == nlohmann::json::array({"not zsv's"}));
}

TEST_CASE("settings: parsed from lib/zsv_settings, defaults where garbled") {
  using namespace std::chrono_literals;
  SiteSettings s = parse_settings(std::string("2.5\0/etc/hooks.d\0" "3\0", 19));
  CHECK(s.error.empty());
  CHECK(s.check_timeout == 2500ms);
  CHECK(s.post_apply_dir == "/etc/hooks.d");
  CHECK(s.post_apply_timeout == 3000ms);
  SiteSettings bad = parse_settings(std::string("-1\0\0x\0", 6));
  CHECK(bad.check_timeout == 5000ms);
  CHECK(bad.post_apply_dir.empty());
  CHECK(bad.post_apply_timeout == 10000ms);
  CHECK_FALSE(parse_settings("").error.empty());
}

TEST_CASE("status: a backoff wait and a crash loop are marked from zsv/backoff") {
  CHECK(!parse_backoff("3 990"));
  CHECK(!parse_backoff("3 990 1004 x"));
  auto b = parse_backoff("3 990 1004\n");
  REQUIRE(b);
  CHECK(b->fails == 3);
  StatusRow waiting = row("w", Want::up, Condition::holds, runit(7, 'u', 1));
  waiting.backoff = b;
  CHECK(ids(waiting, 1000) == std::vector<std::string>{"backoff"});
  CHECK(marks_of(waiting, 1000)[0].text == "in backoff: starts in 4s (3 quick restarts)");
  CHECK(ids(waiting, 1005) == std::vector<std::string>{"crash-looping"});
  waiting.backoff = parse_backoff("0 990 0");
  CHECK(ids(waiting, 1000).empty());
  CHECK(status_json({waiting}, 1000).find("\"backoff\": {\n        \"fails\": 0") != std::string::npos);
}
