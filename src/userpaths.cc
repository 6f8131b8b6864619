// userpaths: the XDG defaults of a user's tree, and the check that a tree is the caller's.
#include "userpaths.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace zsv {

namespace {

std::string xdg_or(const std::string& value, const std::string& fallback) {
  return !value.empty() && value.front() == '/' ? value : fallback;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// "uid N (NAME)", or "uid N" for a uid the password database does not know.
std::string describe_uid(uid_t uid) {
  const struct passwd* pw = ::getpwuid(uid);
  return pw != nullptr ? fmt::format("uid {} ({})", uid, pw->pw_name) : fmt::format("uid {}", uid);
}

}  // namespace

UserPaths user_paths(const std::string& home, const std::string& config_home,
                     const std::string& cache_home, const std::string& state_home) {
  std::string h = home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  const std::string config = xdg_or(config_home, h + "/.config") + "/zsv";
  UserPaths p;
  p.home = h;
  p.svtab = config + "/svtab";
  p.config = config + "/zsvrc";
  p.post_apply_dir = config + "/post-apply.d";
  p.service_dir = h + "/service";
  p.cache_dir = xdg_or(cache_home, h + "/.cache") + "/zsv";
  p.log_root = xdg_or(state_home, h + "/.local/state") + "/zsv/log";
  return p;
}

std::optional<UserPaths> calling_user_paths(std::string& error) {
  std::string home = env("HOME");
  if (home.empty() || home.front() != '/') {
    const struct passwd* pw = ::getpwuid(::geteuid());
    home = pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "";
  }
  if (home.empty() || home.front() != '/') {
    error = fmt::format("--user: no home directory: $HOME is not set (or not an absolute path) "
                        "and the password database has none for {}", describe_uid(::geteuid()));
    return std::nullopt;
  }
  return user_paths(home, env("XDG_CONFIG_HOME"), env("XDG_CACHE_HOME"), env("XDG_STATE_HOME"));
}

std::string tree_refusal(int dirfd, const std::string& path, bool user_tree) {
  struct stat st;
  if (::fstat(dirfd, &st) != 0) return "";  // opening it worked; the writes will say more
  const uid_t me = ::geteuid();
  if (user_tree && st.st_uid != me)
    return fmt::format("{} belongs to {}, and zsvgen --user runs as {}: a user changes only a "
                       "tree of their own",
                       path, describe_uid(st.st_uid), describe_uid(me));
  if (::faccessat(dirfd, ".", W_OK, AT_EACCESS) != 0 && (errno == EACCES || errno == EROFS))
    return fmt::format("{} cannot be written by {} (it belongs to {}){}", path,
                       describe_uid(me), describe_uid(st.st_uid),
                       me != 0 ? ": an ordinary user's tree is ~/service, zsvgen --user" : "");
  return "";
}

}  // namespace zsv
