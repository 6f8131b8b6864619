// userpaths: a user's own tree (zsvgen --user, SPEC §13). Its path defaults come from the
// XDG base directories, so that nothing of it is the system's; and a run refuses a tree
// that is not the caller's before it writes anything.
#pragma once
#include <optional>
#include <string>

namespace zsv {

struct UserPaths {
  std::string home;
  std::string svtab;           // $XDG_CONFIG_HOME/zsv/svtab (XDG_CONFIG_HOME: ~/.config)
  std::string config;          // $XDG_CONFIG_HOME/zsv/zsvrc
  std::string post_apply_dir;  // $XDG_CONFIG_HOME/zsv/post-apply.d
  std::string service_dir;     // ~/service: the tree the system's runsvdir.USER runs
  std::string cache_dir;       // $XDG_CACHE_HOME/zsv (~/.cache)
  std::string log_root;        // $XDG_STATE_HOME/zsv/log (~/.local/state): svlogd's
};

// From HOME and the values of XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_STATE_HOME; a
// value that is not an absolute path is ignored, as the XDG specification says.
UserPaths user_paths(const std::string& home, const std::string& config_home,
                     const std::string& cache_home, const std::string& state_home);

// The calling user's, from the environment: $HOME when it is an absolute path, else
// the home the password database gives the effective uid. Nullopt, ERROR set, when
// neither gives one.
std::optional<UserPaths> calling_user_paths(std::string& error);

// Why the run may not change the tree DIRFD (opened from PATH), or empty when it may: a
// tree the caller cannot write, or with USER_TREE (--user) one that is not the
// caller's own (root's --user on alice's tree would leave her files she cannot change).
std::string tree_refusal(int dirfd, const std::string& path, bool user_tree);

}  // namespace zsv
