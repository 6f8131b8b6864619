// Tests of planning: the desired tree against a live one, as SPEC §6 says.
#include <doctest/doctest.h>

#include "plan.h"

using namespace zsv;

namespace {

DesiredService desired(const std::string& name, Want want, bool log = true, const std::string& run = "run1") {
  DesiredService d;
  d.name = name;
  d.want = want;
  d.has_log = log;
  if (log) d.files.push_back({"log/run", "log1", true});
  d.files.push_back({"run", run, true});
  d.files.push_back({"zsv/check", "check1", true});
  d.files.push_back({"zsv/source", "svtab:1\n", false});
  return d;
}

LiveService live_of(const DesiredService& d) {
  LiveService l;
  l.name = d.name;
  l.ours = true;
  for (const File& f : d.files) l.files[f.path] = f.content;
  l.has_log_dir = d.has_log;
  l.want = d.want;
  l.has_down = d.want != Want::up;
  return l;
}

LiveTree tree(std::initializer_list<LiveService> services) {
  LiveTree t;
  for (const LiveService& s : services) t.services[s.name] = s;
  return t;
}

}  // namespace

TEST_CASE("plan: new services are created, down unless their condition holds") {
  Plan p = plan_changes({desired("a", Want::up), desired("b", Want::down), desired("m", Want::manual)}, {}, {});
  REQUIRE(p.services.size() == 3);
  CHECK(p.services[0].op == Op::create);
  CHECK(p.services[0].write_down == false);
  CHECK(p.services[0].writes.size() == 4);
  CHECK(p.services[1].write_down == true);
  CHECK(p.services[2].write_down == true);
  CHECK(p.services[2].command == 0);
}

TEST_CASE("plan: nothing changed, nothing to do") {
  auto d = desired("a", Want::up);
  Plan p = plan_changes({d}, {}, tree({live_of(d)}));
  CHECK(p.services.empty());
}

TEST_CASE("plan: condition edges, and only edges") {
  struct Case {
    const char* name;
    Want was, now;
    bool has_down;
    char command;
    bool write_down, remove_down;
  };
  std::vector<Case> cases = {
      {"false to true", Want::down, Want::up, true, 'u', false, true},
      {"true to false", Want::up, Want::down, false, 'd', true, false},
      {"to manual: down file, no command", Want::up, Want::manual, false, 0, true, false},
      {"manual to automatic, true", Want::manual, Want::up, true, 'u', false, true},
      {"true stays true though stopped by hand", Want::up, Want::up, false, 0, false, false},
      {"false stays false", Want::down, Want::down, true, 0, false, false},
  };
  for (const Case& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    auto before = desired("a", c.was);
    LiveService l = live_of(before);
    l.has_down = c.has_down;
    Plan p = plan_changes({desired("a", c.now)}, {}, tree({l}));
    if (c.command == 0 && !c.write_down && !c.remove_down) {
      CHECK(p.services.empty());
      continue;
    }
    REQUIRE(p.services.size() == 1);
    CHECK(p.services[0].command == c.command);
    CHECK(p.services[0].write_down == c.write_down);
    CHECK(p.services[0].remove_down == c.remove_down);
    CHECK(p.services[0].set_want == c.now);
    CHECK(p.services[0].writes.empty());
  }
}

TEST_CASE("plan: a missing zsv/want repeats the edge (repair after a killed run)") {
  auto d = desired("a", Want::up);
  LiveService l = live_of(d);
  l.want.reset();
  l.has_down = true;
  Plan p = plan_changes({d}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].command == 'u');
  CHECK(p.services[0].remove_down);
}

TEST_CASE("plan: changed files are rewritten and restart what runs them") {
  auto d = desired("a", Want::up);
  LiveService l = live_of(d);
  l.files["run"] = "old";
  l.files["zsv/check"] = "old";
  Plan p = plan_changes({d}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  const ServicePlan& s = p.services[0];
  CHECK(s.op == Op::update);
  REQUIRE(s.writes.size() == 2);
  CHECK(s.writes[0].path == "run");
  CHECK(s.writes[1].path == "zsv/check");
  CHECK(s.restart_service);
  CHECK_FALSE(s.restart_log);
  CHECK_FALSE(s.restart_runsv);

  l = live_of(d);
  l.files["log/run"] = "old";
  p = plan_changes({d}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].restart_log);
  CHECK_FALSE(p.services[0].restart_service);

  l = live_of(d);
  l.files["zsv/source"] = "svtab:9\n";  // only moved in svtab: rewrite, no restart
  p = plan_changes({d}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  CHECK_FALSE(p.services[0].restart_service);
  CHECK_FALSE(p.services[0].restart_log);
}

TEST_CASE("plan: a logger that comes or goes restarts runsv") {
  auto with = desired("a", Want::up, true);
  auto without = desired("a", Want::up, false);
  Plan p = plan_changes({without}, {}, tree({live_of(with)}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].restart_runsv);
  CHECK(p.services[0].remove_log_dir);
  CHECK(p.services[0].deletes == std::vector<std::string>{"log/run"});

  p = plan_changes({with}, {}, tree({live_of(without)}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].restart_runsv);
  CHECK_FALSE(p.services[0].remove_log_dir);
  REQUIRE(p.services[0].writes.size() == 1);
  CHECK(p.services[0].writes[0].path == "log/run");
}

TEST_CASE("plan: removal, kept entries, foreign directories") {
  auto a = desired("a", Want::up), b = desired("b", Want::up);
  LiveService foreign;
  foreign.name = "mine";
  LiveService foreign_named_c;
  foreign_named_c.name = "c";
  Plan p = plan_changes({desired("c", Want::up)}, {"b"}, tree({live_of(a), live_of(b), foreign, foreign_named_c}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].name == "a");  // gone from svtab
  CHECK(p.services[0].op == Op::remove);
  // b failed to evaluate (kept), 'mine' is not zsv's, 'c' is held by a foreign directory.
  CHECK(p.conflicts == std::vector<std::string>{"c"});
}

TEST_CASE("plan: temp files and leftovers of a killed run are cleaned") {
  auto d = desired("a", Want::up);
  LiveService l = live_of(d);
  l.temp_files = {".run.zsv-tmp"};
  LiveTree t = tree({l});
  t.leftovers = {".b.zsv-new"};
  Plan p = plan_changes({d}, {}, t);
  CHECK(p.leftovers == std::vector<std::string>{".b.zsv-new"});
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].deletes == std::vector<std::string>{".run.zsv-tmp"});
}

TEST_CASE("plan: a reused service keeps its scripts; only zsv/source may be rewritten") {
  auto d = desired("a", Want::up);
  LiveService l = live_of(d);
  DesiredService reused;
  reused.name = "a";
  reused.reused = true;
  reused.want = Want::up;
  reused.files.push_back({"zsv/source", "svtab:1\n", false});
  CHECK(plan_changes({reused}, {}, tree({l})).services.empty());
  reused.files[0].content = "svtab:7\n";
  Plan p = plan_changes({reused}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].deletes.empty());
  REQUIRE(p.services[0].writes.size() == 1);
  CHECK(p.services[0].writes[0].path == "zsv/source");
  CHECK_FALSE(p.services[0].restart_service);
}

TEST_CASE("plan: a changed run records its restart before any file, and a killed run's restart is repeated") {
  auto old = desired("a", Want::up);
  auto now = desired("a", Want::up, true, "run2");
  Plan p = plan_changes({now}, {}, tree({live_of(old)}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].restart_service);
  CHECK(p.services[0].pending() == "t");

  // Killed after writing run, before the 't': the files are new, zsv/pending says "t".
  LiveService killed = live_of(now);
  killed.pending = "t\n";
  p = plan_changes({now}, {}, tree({killed}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].op == Op::update);
  CHECK(p.services[0].writes.empty());
  CHECK(p.services[0].restart_service);
  CHECK(p.services[0].clear_pending);

  // A logger added, runsv not yet told: the 'x' is repeated.
  killed.pending = "x\n";
  p = plan_changes({now}, {}, tree({killed}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].restart_runsv);
  CHECK_FALSE(p.services[0].remove_log_dir);
  CHECK(p.services[0].pending() == "x");

  // A restart while the condition goes false is moot: the stop is the edge's.
  auto down = desired("a", Want::down, true, "run2");
  p = plan_changes({down}, {}, tree({live_of(old)}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].command == 'd');
  CHECK(p.services[0].pending() == "");
}

TEST_CASE("plan: a reused service that is no instance any more loses zsv/generator, and nothing else") {
  auto d = desired("dhcpcd.eth0", Want::up);
  d.files.push_back({"zsv/generator", "dhcpcd.*\n", false});
  LiveService l = live_of(d);
  DesiredService explicit_entry;  // same inputs, now an entry of its own: reused
  explicit_entry.name = "dhcpcd.eth0";
  explicit_entry.reused = true;
  explicit_entry.want = Want::up;
  explicit_entry.files.push_back({"zsv/source", "svtab:1\n", false});
  Plan p = plan_changes({explicit_entry}, {}, tree({l}));
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].deletes == std::vector<std::string>{"zsv/generator"});
  CHECK(p.services[0].writes.empty());
  CHECK_FALSE(p.services[0].restart_service);
  explicit_entry.files.push_back({"zsv/generator", "dhcpcd.*\n", false});  // still one: nothing to do
  CHECK(plan_changes({explicit_entry}, {}, tree({l})).services.empty());
}
