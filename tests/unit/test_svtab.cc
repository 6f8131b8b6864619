// Tests of the svtab parser: the format of SPEC §1 and its exact diagnostics.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "svtab.h"

using namespace zsv;

namespace {

std::string all_diags(const Svtab& t) {
  std::string s;
  for (const Diagnostic& d : t.diags) s += format_diagnostic(d);
  return s;
}

}  // namespace

TEST_CASE("svtab: entries, flags and code") {
  struct Case {
    const char* name;
    const char* text;
    std::vector<std::vector<std::string>> want;  // {name, flags, code}
  };
  std::vector<Case> cases = {
      {"name only", "sshd\n", {{"sshd", "", ""}}},
      {"no newline at end", "sshd", {{"sshd", "", ""}}},
      {"flags only", "wpa_cli.wlan0:M\n", {{"wpa_cli.wlan0", "M", ""}}},
      {"empty flags, code with colons", "echo::run=(cat) ; x=a:b:c\n", {{"echo", "", "run=(cat) ; x=a:b:c"}}},
      {"comments and blank lines", "# c\n\nsshd\n# d\n\ncron:e\n", {{"sshd", "", ""}, {"cron", "e", ""}}},
      {"continuation lines", "a::x=1\n  y=2\n\ty=3\n", {{"a", "", "x=1\n  y=2\n\ty=3"}}},
      {"continuation after empty code", "a:E:\n  run=(sleep 1)\n", {{"a", "E", "  run=(sleep 1)"}}},
      {"blank line inside a block belongs to it", "a::x=1\n\n  y=2\n\nb\n", {{"a", "", "x=1\n\n  y=2"}, {"b", "", ""}}},
      {"trailing blank lines dropped", "a::x\n  y\n\n\n", {{"a", "", "x\n  y"}}},
      {"comment inside a block is skipped", "a::x\n# note\n  y\n", {{"a", "", "x\n  y"}}},
      {"name charset", "a-b_c.d@e+f:Emn\n", {{"a-b_c.d@e+f", "Emn", ""}}},
  };
  for (const Case& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    Svtab t = parse_svtab(c.text, "svtab");
    CHECK(all_diags(t) == "");
    REQUIRE(t.entries.size() == c.want.size());
    for (std::size_t i = 0; i < c.want.size(); ++i) {
      CHECK(t.entries[i].name == c.want[i][0]);
      CHECK(t.entries[i].flags == c.want[i][1]);
      CHECK(t.entries[i].code == c.want[i][2]);
    }
  }
}

TEST_CASE("svtab: a generator prefix.* is kept apart from the entries, with its flags and code") {
  Svtab t = parse_svtab("sshd\ndhcpcd.*:M:run=(sleep 1000)\n  x=1\ngetty.*\n", "svtab");
  REQUIRE(t.diags.empty());
  REQUIRE(t.entries.size() == 1);
  CHECK(t.entries[0].name == "sshd");
  REQUIRE(t.generators.size() == 2);
  CHECK(t.generators[0].name == "dhcpcd.*");
  CHECK(t.generators[0].flags == "M");
  CHECK(t.generators[0].code == "run=(sleep 1000)\n  x=1");
  CHECK(t.generators[0].code_lines == std::vector<int>{2, 3});
  CHECK(t.generators[0].loc.line == 2);
  CHECK(t.generators[1].name == "getty.*");
  CHECK(is_generator_name("dhcpcd.*"));
  CHECK_FALSE(is_generator_name("dhcpcd.eth0"));
}

TEST_CASE("svtab: code lines map back to svtab lines") {
  Svtab t = parse_svtab("# x\na::one\n  two\n\n  four\n", "svtab");
  REQUIRE(t.entries.size() == 1);
  CHECK(t.entries[0].loc.line == 2);
  CHECK(t.entries[0].code_lines == std::vector<int>{2, 3, 4, 5});
}

TEST_CASE("svtab: prefix and instance") {
  Svtab t = parse_svtab("dhcpcd.eth0\nsshd\nrunsvdir.a.b\n", "svtab");
  REQUIRE(t.entries.size() == 3);
  CHECK(t.entries[0].prefix() == "dhcpcd");
  CHECK(t.entries[0].instance() == "eth0");
  CHECK(t.entries[1].prefix() == "sshd");
  CHECK(t.entries[1].instance() == "");
  CHECK(t.entries[2].prefix() == "runsvdir");
  CHECK(t.entries[2].instance() == "a.b");
}

TEST_CASE("svtab: diagnostics, exact text") {
  struct Case {
    const char* name;
    const char* text;
    const char* want;
  };
  std::vector<Case> cases = {
      {"slash in name", "ok\nfoo/bar:E\n",
       "svtab:2:4: error: '/' is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  foo/bar:E\n"
       "     ^\n"},
      {"dot-dot", "..:E\n",
       "svtab:1:1: error: a service name may not start with '.'\n"
       "  ..:E\n"
       "  ^\n"},
      {"leading dash", "-x\n",
       "svtab:1:1: error: a service name may not start with '-'\n"
       "  -x\n"
       "  ^\n"},
      {"space in name", "my svc\n",
       "svtab:1:3: error: a space is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  my svc\n"
       "    ^\n"},
      {"control byte", "a\x01:E\n",
       "svtab:1:2: error: control byte 0x01 is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  a\x01:E\n"
       "   ^\n"},
      {"non-utf8", "caf\xe9\n",
       "svtab:1:4: error: byte 0xe9 is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  caf\xe9\n"
       "     ^\n"},
      {"empty name", ":E:x\n",
       "svtab:1:1: error: empty service name\n"
       "  :E:x\n"
       "  ^\n"},
      {"unknown flag", "sshd:EXq\n",
       "svtab:1:7: error: unknown flag 'X' (known flags: E, M, N)\n"
       "  sshd:EXq\n"
       "        ^\n"
       "svtab:1:8: error: unknown flag 'q' (known flags: E, M, N)\n"
       "  sshd:EXq\n"
       "         ^\n"},
      {"non-letter flag", "sshd:E1\n",
       "svtab:1:7: error: flags are ASCII letters, not '1'\n"
       "  sshd:E1\n"
       "        ^\n"},
      {"duplicate", "a\nb\na:E\n",
       "svtab:3:1: error: duplicate service 'a' (first defined at svtab:1)\n"
       "  a:E\n"
       "  ^\n"},
      {"orphan continuation", "  x=1\n  y=2\na\n",
       "svtab:1:1: error: continuation line with no entry before it\n"
       "    x=1\n"
       "  ^\n"},
      {"star elsewhere", "dhcpcd.*x\n",
       "svtab:1:8: error: '*' is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  dhcpcd.*x\n"
       "         ^\n"},
      {"star alone", "*\n",
       "svtab:1:1: error: '*' is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  *\n"
       "  ^\n"},
      {"generator without prefix", ".*\n",
       "svtab:1:1: error: empty service name\n"
       "  .*\n"
       "  ^\n"},
      {"generator prefix breaks the name rule", "dh/cp.*\n",
       "svtab:1:3: error: '/' is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n"
       "  dh/cp.*\n"
       "    ^\n"},
      {"generator prefix with a dot", "a.b.*\n",
       "svtab:1:2: error: a generator is PREFIX.* with no '.' in PREFIX (the prefix names zsv_instances_PREFIX)\n"
       "  a.b.*\n"
       "   ^\n"},
      {"generator twice", "dhcpcd.*\ndhcpcd.*:M\n",
       "svtab:2:1: error: duplicate service 'dhcpcd.*' (first defined at svtab:1)\n"
       "  dhcpcd.*:M\n"
       "  ^\n"},
      {"too long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
       "svtab:1:65: error: service name is 65 bytes long; at most 64 are allowed\n"
       "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
       "                                                                  ^\n"},
      {"caret follows tabs", "\tx\n",
       "svtab:1:1: error: continuation line with no entry before it\n"
       "  \tx\n"
       "  ^\n"},
  };
  for (const Case& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    CHECK(all_diags(parse_svtab(c.text, "svtab")) == c.want);
  }
}

TEST_CASE("svtab: every error is reported, not only the first") {
  Svtab t = parse_svtab("a/b\nok\n..\nok\nc:Z\n", "/etc/svtab");
  REQUIRE(t.diags.size() == 4);
  CHECK(t.diags[0].loc.line == 1);
  CHECK(t.diags[1].loc.line == 3);
  CHECK(t.diags[2].loc.line == 4);  // the duplicate 'ok'
  CHECK(t.diags[3].loc.line == 5);
  CHECK(t.diags[3].loc.file == "/etc/svtab");
  CHECK(has_errors(t.diags));
  // The good entry is still parsed; a broken one and its block are not.
  REQUIRE(t.entries.size() == 1);
  CHECK(t.entries[0].name == "ok");
}

TEST_CASE("svtab: a broken entry's continuation lines are not reported again") {
  Svtab t = parse_svtab("a/b::x\n  y\n  z\nc\n", "svtab");
  CHECK(t.diags.size() == 1);
  REQUIRE(t.entries.size() == 1);
  CHECK(t.entries[0].name == "c");
}

TEST_CASE("flags: letters apply over defaults") {
  Flags base = apply_flags(Flags{}, "E");
  CHECK(flags_string(base) == "Emn");
  CHECK(flags_string(apply_flags(base, "e")) == "emn");
  CHECK(flags_string(apply_flags(base, "MN")) == "EMN");
  CHECK(flags_string(apply_flags(base, "Mm")) == "Emn");  // the last letter wins
  CHECK(known_flag_letters() == "E, M, N");
}
