// Tests of --why's pure half: lib/zsv_why's output, what a script carries, where a
// function of the entry's own code sits in svtab, each flag's origin, zsv/last; and
// the post-apply hooks' environment.
#include <doctest/doctest.h>

#include "posthooks.h"
#include "why.h"

using namespace zsv;

namespace {

Entry entry(const std::string& flags) {
  Entry e;
  e.name = "dhcpcd.eth0";
  e.flags = flags;
  e.loc = {"/etc/svtab", 7, 1};
  e.code_lines = {7, 8, 9};
  return e;
}

WhyFacts facts(const std::string& config, const std::string& rc, const std::string& defaults, const std::string& code) {
  return parse_why_output(std::string("flags.config", 12) + '\0' + config + '\0' + "flags.zsvrc" + '\0' + rc + '\0' +
                          "flags.defaults" + '\0' + defaults + '\0' + "flags.code" + '\0' + code + '\0');
}

}  // namespace

TEST_CASE("why: lib/zsv_why's records") {
  std::string out = std::string("runf\0zsv_run_x\0runf.from\0code\0fn\0f\x1f/lib/zsv_services\x1f" "31\0error\0boom\0", 67);
  WhyFacts f = parse_why_output(out);
  CHECK(f.values.at("runf") == "zsv_run_x");
  CHECK(f.values.at("runf.from") == "code");
  REQUIRE(f.functions.size() == 1);
  CHECK(f.functions[0].name == "f");
  CHECK(f.functions[0].file == "/lib/zsv_services");
  CHECK(f.functions[0].line == 31);
  CHECK(f.error == "boom");
}

TEST_CASE("why: what a rendered script carries") {
  std::string script =
      "#!/usr/bin/zsh -f\n# x: the service.\ntypeset -g zsv_sysfs='/sys'\ntypeset -ga run; run=( 'a' )\n"
      "zsv_check_carrier () {\n\tlocal c\n}\nhelper.x () {\n}\nzsv_check_carrier eth0\n";
  CHECK(script_functions(script) == std::vector<std::string>{"zsv_check_carrier", "helper.x"});
  CHECK(script_variables(script) == std::vector<std::string>{"typeset -g zsv_sysfs='/sys'", "typeset -ga run; run=( 'a' )"});
}

TEST_CASE("why: a function's file:line, the entry's own code mapped onto svtab") {
  Entry e = entry("");
  CHECK(source_of({"check", "(entry)", 2}, e) == "/etc/svtab:8 (the entry's code)");
  CHECK(source_of({"check", "(entry)", 0}, e) == "/etc/svtab:7 (the entry's code)");
  CHECK(source_of({"f", "/lib/zsv_checks", 12}, e) == "/lib/zsv_checks:12");
  CHECK(source_of({"f", "/lib/zsv_checks", 0}, e) == "/lib/zsv_checks");
}

TEST_CASE("why: each flag's origin is the last layer that decided it") {
  struct Case {
    const char* name;
    WhyFacts facts;
    std::string letters;
    std::vector<std::string> origins;
  };
  std::vector<Case> cases{
      {"library only", facts("E", "E", "E", "E"), "", {"zsv_config: zsv_flags=E", "nothing sets it: off", "nothing sets it: off"}},
      {"zsvrc", facts("E", "EN", "EN", "EN"), "", {"zsvrc (/etc/zsvrc): zsv_flags=EN", "nothing sets it: off", "zsvrc (/etc/zsvrc): zsv_flags=EN"}},
      {"defaults function", facts("E", "E", "e", "e"), "", {"zsv_defaults_dhcpcd: zsv_flags=e", "nothing sets it: off", "nothing sets it: off"}},
      {"the entry's letters win", facts("E", "E", "E", "E"), "Me",
       {"the entry's flags 'Me' (/etc/svtab:7)", "the entry's flags 'Me' (/etc/svtab:7)", "nothing sets it: off"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::vector<FlagOrigin> o = flag_origins(c.facts, entry(c.letters), "/etc/zsvrc");
    REQUIRE(o.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(o[i].origin == c.origins[i]);
  }
  std::vector<FlagOrigin> o = flag_origins(facts("E", "E", "E", "E"), entry("Me"), "/etc/zsvrc");
  CHECK((o[0].letter == 'E' && !o[0].on && o[1].letter == 'M' && o[1].on && !o[2].on));
}

TEST_CASE("why: zsv/last") {
  CHECK(last_text(1700000000, {{"restart", "run"}, {"up", "condition true"}}) ==
        "1700000000 restart (run)\n1700000000 up (condition true)\n");
  CHECK(last_text(5, {{"create", ""}}) == "5 create\n");
}

TEST_CASE("why: an instance of a generator says so, with the generator's line") {
  Entry e = entry("");
  e.source_line = "dhcpcd.*";
  WhyInput in;
  in.entry = &e;
  CHECK(why_story(in).find("generator") == std::string::npos);
  e.generator = "dhcpcd.*";
  CHECK(why_story(in).find("  generator   instance of dhcpcd.* (/etc/svtab:7), while zsv_instances_dhcpcd lists eth0\n") !=
        std::string::npos);
}

TEST_CASE("posthooks: every ZSV_* list is set, space-separated") {
  ActionNames n;
  n.created = {"a", "b"};
  n.stopped = {"c"};
  auto env = hook_environment(n);
  std::vector<std::pair<std::string, std::string>> want{
      {"ZSV_CREATED", "a b"}, {"ZSV_CHANGED", ""}, {"ZSV_RESTARTED", ""},
      {"ZSV_REMOVED", ""}, {"ZSV_STARTED", ""}, {"ZSV_STOPPED", "c"}};
  CHECK(env == want);
}
