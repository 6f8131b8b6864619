// Tests of what a rendered script carries (needs) and of reusing an unchanged entry's resolution.
#include <doctest/doctest.h>

#include "needs.h"
#include "reuse.h"

using namespace zsv;

namespace {

ShellDefs library() {
  ShellDefs d;
  d.functions.emplace("zsv_run_default", make_shell_function("\texec \"${run[@]}\""));
  d.functions.emplace("zsv_check_carrier", make_shell_function("\tzsv_read_sys $1 carrier"));
  d.functions.emplace("zsv_read_sys", make_shell_function("\t[[ $(<$zsv_sysfs/class/net/$1/$2) == 1 ]]"));
  d.functions.emplace("unrelated", make_shell_function("\ttrue"));
  d.variables.emplace("zsv_sysfs", "typeset -g zsv_sysfs='/sys'");
  d.variables.emplace("zsv_logroot", "typeset -g zsv_logroot='/var/log/zsv'");
  return d;
}

}  // namespace

TEST_CASE("needs: functions reached by name, transitively, and the variables they name") {
  ShellDefs entry;
  entry.variables.emplace("run", "typeset -ga run; run=( 'sleep' '1' )");
  entry.variables.emplace("unused", "typeset -g unused=1");
  entry.variables.emplace("checkf", "typeset -g checkf='zsv_check_carrier eth0'");
  ScriptNeeds n = script_needs("zsv_check_carrier eth0", library(), entry);
  CHECK(n.functions ==
        "zsv_check_carrier () {\n\tzsv_read_sys $1 carrier\n}\n"
        "zsv_read_sys () {\n\t[[ $(<$zsv_sysfs/class/net/$1/$2) == 1 ]]\n}\n");
  CHECK(n.vars == "typeset -g zsv_sysfs='/sys'\n");

  n = script_needs("zsv_run_default", library(), entry);
  CHECK(n.functions == "zsv_run_default () {\n\texec \"${run[@]}\"\n}\n");
  CHECK(n.vars == "typeset -ga run; run=( 'sleep' '1' )\n");
}

TEST_CASE("needs: the entry's definitions win; its exports always go along") {
  ShellDefs entry;
  entry.functions.emplace("zsv_read_sys", make_shell_function("\tcheck_mine"));
  entry.functions.emplace("check_mine", make_shell_function("\t[[ -e $flag ]]"));
  entry.variables.emplace("flag", "typeset -g flag=/tmp/x");
  entry.variables.emplace("TZ", "typeset -gx TZ=UTC");
  entry.variables.emplace("zsv_sysfs", "typeset -g zsv_sysfs=/fake");
  ScriptNeeds n = script_needs("zsv_check_carrier lo", library(), entry);
  CHECK(n.functions ==
        "check_mine () {\n\t[[ -e $flag ]]\n}\n"
        "zsv_check_carrier () {\n\tzsv_read_sys $1 carrier\n}\n"
        "zsv_read_sys () {\n\tcheck_mine\n}\n");
  CHECK(n.vars == "typeset -gx TZ=UTC\ntypeset -g flag=/tmp/x\n");
}

TEST_CASE("needs: a command that names no function carries only what it names") {
  ScriptNeeds n = script_needs("test -e $zsv_logroot", library(), {});
  CHECK(n.functions == "");
  CHECK(n.vars == "typeset -g zsv_logroot='/var/log/zsv'\n");
}

TEST_CASE("needs: definition blocks") {
  auto defs = parse_defs_block("a\x1f" "one\x1e" "b\x1f" "two\nlines\x1e");
  REQUIRE(defs.size() == 2);
  CHECK(defs[0] == std::pair<std::string, std::string>{"a", "one"});
  CHECK(defs[1] == std::pair<std::string, std::string>{"b", "two\nlines"});
  CHECK(parse_defs_block("").empty());
}

TEST_CASE("reuse: only an untouched service rendered from the same key") {
  Svtab t = parse_svtab("svc::run=(sleep 1)\n", "svtab");
  REQUIRE(t.entries.size() == 1);
  const Entry& e = t.entries[0];
  RenderSettings rs{"/usr/bin/zsh", Flags{}, "inputs-1"};
  Resolved r;
  r.default_flags = "E";
  r.runf = "zsv_run_default";
  r.logf = "zsv_log_default";
  r.checkf = "zsv_check_true";
  std::string err;
  DesiredService d = render_service(e, r, true, rs, err);
  REQUIRE(err.empty());
  LiveService live;
  live.name = "svc";
  live.ours = true;
  for (const File& f : d.files) live.files[f.path] = f.content;

  std::string key = entry_key(e, rs);
  CHECK(reusable(live, key));
  CHECK_FALSE(reusable(live, entry_key(e, RenderSettings{"/usr/bin/zsh", Flags{}, "inputs-2"})));
  LiveService edited = live;
  edited.files["run"] += "# edited by hand\n";
  CHECK_FALSE(reusable(edited, key));
  LiveService no_log = live;
  no_log.files.erase("log/run");
  CHECK_FALSE(reusable(no_log, key));

  // Moved in svtab: the reused service differs from the live one only in zsv/source.
  Svtab moved = parse_svtab("# new first line\nsvc::run=(sleep 1)\n", "svtab");
  DesiredService again = render_reused(moved.entries[0], live, false);
  CHECK(again.reused);
  CHECK(again.want == Want::down);
  CHECK(again.has_log);
  REQUIRE(again.files.size() == 1);
  CHECK(again.files[0] == File{"zsv/source", "svtab:2\n", false});
}
