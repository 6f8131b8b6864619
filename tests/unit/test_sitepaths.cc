// Tests of the site paths file (/etc/default/zsv): its format and its warnings.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "sitepaths.h"

using namespace zsv;

namespace {

std::string all_diags(const SitePaths& p) {
  std::string s;
  for (const Diagnostic& d : p.diags) s += format_diagnostic(d);
  return s;
}

}  // namespace

TEST_CASE("sitepaths: lines, comments and what wins") {
  struct Case {
    const char* name;
    const char* text;
    std::map<std::string, std::string> want;
    const char* diags;
  };
  std::vector<Case> cases = {
      {"empty", "", {}, ""},
      {"one path", "ZSV_SVTAB=/srv/svtab\n", {{"ZSV_SVTAB", "/srv/svtab"}}, ""},
      {"no newline at end", "ZSV_LOG=/var/log/zsv.log", {{"ZSV_LOG", "/var/log/zsv.log"}}, ""},
      {"comments and blank lines", "# site\n\nZSV_LIB=/opt/zsv/lib\n#ZSV_LIB=/x\n",
       {{"ZSV_LIB", "/opt/zsv/lib"}}, ""},
      {"a later line wins", "ZSV_CONFIG=/a\nZSV_CONFIG=/b\n", {{"ZSV_CONFIG", "/b"}}, ""},
      {"value verbatim: spaces, '=', quotes", "ZSV_SVTAB=/my dir/a=b \"q\"\n",
       {{"ZSV_SVTAB", "/my dir/a=b \"q\""}}, ""},
      {"empty value kept (means unset)", "ZSV_SVTAB=\n", {{"ZSV_SVTAB", ""}}, ""},
      {"not ZSV_: warned and skipped", "PATH=/bin\nZSV_LOG=/l\n", {{"ZSV_LOG", "/l"}},
       "f:1:1: warning: expected ZSV_NAME=VALUE; line ignored\n  PATH=/bin\n  ^\n"},
      {"no '='", "ZSV_SVTAB /x\n", {},
       "f:1:1: warning: expected ZSV_NAME=VALUE; line ignored\n  ZSV_SVTAB /x\n  ^\n"},
      {"export and spaces are not the format", "export ZSV_LOG=/l\n ZSV_LOG=/m\n", {},
       "f:1:1: warning: expected ZSV_NAME=VALUE; line ignored\n  export ZSV_LOG=/l\n  ^\n"
       "f:2:1: warning: expected ZSV_NAME=VALUE; line ignored\n   ZSV_LOG=/m\n  ^\n"},
      {"lowercase name", "zsv_svtab=/x\n", {},
       "f:1:1: warning: expected ZSV_NAME=VALUE; line ignored\n  zsv_svtab=/x\n  ^\n"},
  };
  for (const Case& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    SitePaths p = parse_site_paths(c.text, "f");
    CHECK(p.values == c.want);
    CHECK(all_diags(p) == c.diags);
  }
}

TEST_CASE("sitepaths: reading the file") {
  char dir[] = "/tmp/zsvtest-sitepaths.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string d = dir;

  SUBCASE("a missing file is no values and no warning") {
    SitePaths p = read_site_paths(d + "/none");
    CHECK(p.values.empty());
    CHECK(all_diags(p) == "");
  }
  SUBCASE("a regular file is parsed") {
    std::FILE* f = std::fopen((d + "/paths").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("ZSV_SERVICE_DIR=/srv/service\n", f);
    std::fclose(f);
    SitePaths p = read_site_paths(d + "/paths");
    CHECK(p.values == std::map<std::string, std::string>{{"ZSV_SERVICE_DIR", "/srv/service"}});
  }
  SUBCASE("a FIFO does not block: it is a warning") {
    REQUIRE(::mkfifo((d + "/fifo").c_str(), 0600) == 0);
    SitePaths p = read_site_paths(d + "/fifo");
    CHECK(p.values.empty());
    CHECK(all_diags(p) == d + "/fifo: warning: not a regular file; ignored\n");
    ::unlink((d + "/fifo").c_str());
  }
  SUBCASE("a directory is a warning") {
    SitePaths p = read_site_paths(d);
    CHECK(all_diags(p) == d + ": warning: not a regular file; ignored\n");
  }
  ::unlink((d + "/paths").c_str());
  ::rmdir(d.c_str());
}
