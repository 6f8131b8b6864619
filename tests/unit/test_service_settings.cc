// Tests of the service settings (SPEC §10): what is refused, and the run script's lines.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "service_settings.h"

using namespace zsv;

namespace {

std::string parse(std::vector<std::string> pairs, ServiceSettings& s) { return parse_service_settings(pairs, s); }

std::string error_of(std::vector<std::string> pairs) {
  ServiceSettings s;
  return parse(std::move(pairs), s);
}

}  // namespace

TEST_CASE("settings: every value is checked, the message names the setting") {
  CHECK(error_of({"user", "x;rm -rf /"}).find("user is 'x;rm -rf /', which is not a user name") == 0);
  CHECK(error_of({"user", "$(id)"}).find("not a user name") != std::string::npos);
  CHECK(error_of({"group", "-g"}).find("not a group name") != std::string::npos);
  CHECK(error_of({"env", "NOEQUALS"}) == "env has 'NOEQUALS', which has no '=': write NAME=VALUE");
  CHECK(error_of({"env", "1A=x"}).find("'1A' is not a variable name") != std::string::npos);
  CHECK(error_of({"env", "A B=x"}).find("is not a variable name") != std::string::npos);
  CHECK(error_of({"chdir", "rel/dir"}) == "chdir is 'rel/dir': give an absolute directory");
  CHECK(error_of({"chroot", ""}).find("give an absolute directory") != std::string::npos);
  CHECK(error_of({"umask", "999"}).find("octal") != std::string::npos);
  CHECK(error_of({"nice", "20"}).find("-20 to 19") != std::string::npos);
  CHECK(error_of({"nice", "x"}).find("-20 to 19") != std::string::npos);
  CHECK(error_of({"limit", "files=10"}).find("'files', which is not a limit (known: as, core") != std::string::npos);
  CHECK(error_of({"limit", "nofile=many"}).find("limits[nofile] is 'many'") == 0);
  CHECK(error_of({"limit", "nofile=10K"}).find("give a number or unlimited") != std::string::npos);
  CHECK(error_of({"limit", "data=1000"}).find("multiple of 1024 bytes") != std::string::npos);
  CHECK(error_of({"ready", " \n"}).find("ready is empty") == 0);
  CHECK(error_of({"backoff_max", "-1"}).find("backoff_max") == 0);
  CHECK(error_of({"chdir", "/a", "chroot", "/b"}).find("both set") != std::string::npos);
  CHECK(error_of({"chdir", std::string("/a\0b", 4)}) == "chdir holds a NUL byte");
  CHECK(error_of({"colour", "blue"}).find("unknown setting 'colour'") != std::string::npos);
  CHECK(error_of({"user"}) == "its settings record is malformed");
}

TEST_CASE("settings: good values are kept; sizes in the units zsh's ulimit takes") {
  ServiceSettings s;
  CHECK(parse({"user", "alice", "group", "video", "env", "A=1", "env", "B=x=y", "chdir", "/srv/a b", "umask", "027",
               "nice", "-5", "limit", "nofile=1024", "limit", "core=0", "limit", "data=64M", "limit", "fsize=1K",
               "limit", "stack=unlimited", "ready", "zsv_check_file /run/x", "backoff_max", "0"},
              s) == "");
  CHECK(s.user == "alice");
  CHECK(s.group == "video");
  CHECK(s.env == std::vector<std::string>{"A=1", "B=x=y"});
  CHECK(s.chdir == "/srv/a b");
  CHECK(*s.nice == -5);
  CHECK(s.limits.at("data") == "65536");
  CHECK(s.limits.at("fsize") == "2");
  CHECK(s.limits.at("stack") == "unlimited");
  CHECK(s.backoff_max == 0);
}

TEST_CASE("settings: a user, a group or a directory the system lacks is an error") {
  SystemNames sys{[](const std::string& u) { return u == "alice"; }, [](const std::string& g) { return g == "video"; },
                  [](const std::string& d) { return d == "/srv"; }};
  ServiceSettings s;
  s.user = "alice";
  s.group = "video";
  s.chdir = "/srv";
  CHECK(check_against_system(s, sys) == "");
  s.user = "bob";
  CHECK(check_against_system(s, sys) == "user 'bob' does not exist");
  s.user = "alice";
  s.group = "audio";
  CHECK(check_against_system(s, sys) == "group 'audio' does not exist");
  s.group.clear();
  s.chdir = "/nowhere";
  CHECK(check_against_system(s, sys) == "chdir '/nowhere' is not a directory");
}

TEST_CASE("settings: the run script's lines, every value one quoted word") {
  ServiceSettings s;
  s.backoff_max = 0;
  CHECK(run_prelude(s).empty());
  CHECK(!wraps_run(s));
  s.backoff_max = 8;
  CHECK(run_prelude(s) == "zsv_backoff 8\n");
  s.umask = "027";
  s.limits["nofile"] = "512";
  s.chdir = "/srv/it's here\nnow";
  s.user = "alice";
  s.group = "video";
  s.env = {"A=$(touch /x)", "B=two words"};
  s.nice = 5;
  CHECK(run_prelude(s) ==
        "zsv_backoff 8\n"
        "umask 027\n"
        "ulimit -HS -n 512 || exit 111\n"
        "cd -- $'/srv/it\\'s here\\x0anow' || exit 111\n"
        "zsv_uid=$(id -u -- 'alice') && zsv_gids=$(id -G -- 'alice') || exit 111\n"
        "zsv_gid=$(getent group -- 'video') || exit 111\n"
        "run=( env -- 'A=$(touch /x)' 'B=two words' chpst -u \":$zsv_uid:${${(s.:.)zsv_gid}[3]}:${zsv_gids// /:}\" "
        "-n 5 -- \"${run[@]}\" )\n");
  ServiceSettings j;
  j.backoff_max = 0;
  j.chroot = "/srv/jail";
  CHECK(run_prelude(j) == "run=( chpst -/ '/srv/jail' -- \"${run[@]}\" )\n");
  j.chroot.clear();
  j.group = "video";
  CHECK(run_prelude(j) ==
        "zsv_gid=$(getent group -- 'video') || exit 111\n"
        "run=( chpst -u \":$UID:${${(s.:.)zsv_gid}[3]}\" -- \"${run[@]}\" )\n");
}

TEST_CASE("settings: shell_word quotes any byte") {
  CHECK(shell_word("plain") == "'plain'");
  CHECK(shell_word("it's") == "'it'\\''s'");
  CHECK(shell_word("a\nb") == "$'a\\x0ab'");
  CHECK(shell_word("\\'\x1f") == "$'\\\\\\'\\x1f'");
}
