// Tests of a user tree's defaults (zsvgen --user, SPEC §13) and of the tree check.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "fsutil.h"
#include "userpaths.h"

using namespace zsv;

TEST_CASE("userpaths: XDG defaults, and XDG values that are not absolute are ignored") {
  struct Case {
    const char* name;
    const char* home;
    const char* config;
    const char* cache;
    const char* state;
    UserPaths want;
  };
  const std::vector<Case> cases = {
      {"plain", "/home/al", "", "", "",
       {"/home/al", "/home/al/.config/zsv/svtab", "/home/al/.config/zsv/zsvrc", "/home/al/.config/zsv/post-apply.d",
        "/home/al/service", "/home/al/.cache/zsv", "/home/al/.local/state/zsv/log"}},
      {"XDG set", "/home/al/", "/x/cfg", "/x/cache", "/x/state",
       {"/home/al", "/x/cfg/zsv/svtab", "/x/cfg/zsv/zsvrc", "/x/cfg/zsv/post-apply.d", "/home/al/service",
        "/x/cache/zsv", "/x/state/zsv/log"}},
      {"relative XDG values", "/home/al", "cfg", "./c", "~/s",
       {"/home/al", "/home/al/.config/zsv/svtab", "/home/al/.config/zsv/zsvrc", "/home/al/.config/zsv/post-apply.d",
        "/home/al/service", "/home/al/.cache/zsv", "/home/al/.local/state/zsv/log"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    UserPaths p = user_paths(c.home, c.config, c.cache, c.state);
    CHECK(p.home == c.want.home);
    CHECK(p.svtab == c.want.svtab);
    CHECK(p.config == c.want.config);
    CHECK(p.post_apply_dir == c.want.post_apply_dir);
    CHECK(p.service_dir == c.want.service_dir);
    CHECK(p.cache_dir == c.want.cache_dir);
    CHECK(p.log_root == c.want.log_root);
  }
}

TEST_CASE("userpaths: HOME from the password database when $HOME is unset or relative") {
  const char* saved = std::getenv("HOME");
  std::string keep = saved != nullptr ? saved : "";
  for (const char* home : {static_cast<const char*>(nullptr), "", "relative"}) {
    CAPTURE(home == nullptr ? "(unset)" : home);
    if (home == nullptr) ::unsetenv("HOME");
    else ::setenv("HOME", home, 1);
    std::string error;
    auto p = calling_user_paths(error);
    REQUIRE(p);
    CHECK(p->home.front() == '/');
    CHECK(p->service_dir == p->home + "/service");
  }
  ::setenv("HOME", "/somewhere", 1);
  std::string error;
  CHECK(calling_user_paths(error)->svtab.rfind("/somewhere/", 0) == 0);
  if (saved != nullptr) ::setenv("HOME", keep.c_str(), 1);
  else ::unsetenv("HOME");
}

TEST_CASE("userpaths: a tree of the caller's own may be changed, with or without --user") {
  char dir[] = "/tmp/zsv-userpaths.XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  {
    Fd fd(::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
    CHECK(tree_refusal(fd.get(), dir, false) == "");
    CHECK(tree_refusal(fd.get(), dir, true) == "");
    if (::geteuid() == 0 && ::fchown(fd.get(), 65534, 65534) == 0) {
      // root may write it, but it is nobody's: --user refuses it.
      CHECK(tree_refusal(fd.get(), dir, false) == "");
      CHECK(tree_refusal(fd.get(), dir, true).find("belongs to uid 65534") != std::string::npos);
    }
  }
  ::rmdir(dir);
}
