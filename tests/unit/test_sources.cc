// Tests of svtab.d: which names are fragments, and the files joined as one svtab.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sources.h"

using namespace zsv;

namespace {

std::string all_diags(const Svtab& t) {
  std::string s;
  for (const Diagnostic& d : t.diags) s += format_diagnostic(d);
  return s;
}

}  // namespace

TEST_CASE("sources: fragment names") {
  std::vector<std::string> dir = {"b.svtab", "a.svtab", ".", "..", ".hidden.svtab", "x.svtab~",
                                  "x.svtab.swp", "#x.svtab#", "x.svtab.dpkg-old", ".svtab",
                                  "svtab", "10-net.svtab", "A.svtab", "readme"};
  CHECK(fragment_names(dir) == std::vector<std::string>{"10-net.svtab", "A.svtab", "a.svtab", "b.svtab"});
}

TEST_CASE("sources: files joined in order, each entry knows its file") {
  Svtab t = parse_sources({{"/etc/svtab", "a\nb::x=1\n  y=2\n"},
                           {"/etc/svtab.d/10.svtab", "# c\nc:M\n"},
                           {"/etc/svtab.d/20.svtab", ""},
                           {"/etc/svtab.d/30.svtab", "d\n"}});
  CHECK(all_diags(t) == "");
  REQUIRE(t.entries.size() == 4);
  CHECK(t.entries[0].loc.file == "/etc/svtab");
  CHECK(t.entries[1].code_lines == std::vector<int>{2, 3});
  CHECK(t.entries[2].name == "c");
  CHECK(t.entries[2].loc.file == "/etc/svtab.d/10.svtab");
  CHECK(t.entries[2].loc.line == 2);
  CHECK(t.entries[3].loc.file == "/etc/svtab.d/30.svtab");
}

TEST_CASE("sources: a duplicate across files cites both") {
  Svtab t = parse_sources({{"/etc/svtab", "a\nb\n"}, {"/etc/svtab.d/x.svtab", "c\n\nb:M\n"}});
  CHECK(all_diags(t) ==
        "/etc/svtab.d/x.svtab:3:1: error: duplicate service 'b' (first defined at /etc/svtab:2)\n"
        "  b:M\n"
        "  ^\n");
  CHECK(t.entries.size() == 3);
}

TEST_CASE("sources: an error in a fragment names the fragment") {
  Svtab t = parse_sources({{"/etc/svtab", "a\n"}, {"/s.d/x.svtab", "ok\nbad/name\n"}});
  REQUIRE(t.diags.size() == 1);
  CHECK(t.diags[0].loc.file == "/s.d/x.svtab");
  CHECK(t.diags[0].loc.line == 2);
}

TEST_CASE("sources: generators from every file, a duplicate across files cites both") {
  Svtab t = parse_sources({{"/etc/svtab", "dhcpcd.*\na\n"}, {"/etc/svtab.d/x.svtab", "getty.*\ndhcpcd.*:M\n"}});
  CHECK(all_diags(t) ==
        "/etc/svtab.d/x.svtab:2:1: error: duplicate service 'dhcpcd.*' (first defined at /etc/svtab:1)\n"
        "  dhcpcd.*:M\n"
        "  ^\n");
  REQUIRE(t.generators.size() == 2);
  CHECK(t.generators[0].name == "dhcpcd.*");
  CHECK(t.generators[1].loc.file == "/etc/svtab.d/x.svtab");
  CHECK(t.entries.size() == 1);
}
