// cli: the command line of SPEC §7, with defaults from the ZSV_* environment.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace zsv {

struct Options {
  std::string svtab = "/etc/svtab";
  std::string service_dir = "/run/service";
  std::string config = "/etc/zsvrc";
  // The fragments directory (SPEC §14); unset: the svtab's path with ".d" appended
  // (/etc/svtab.d); empty: no fragments.
  std::optional<std::string> svtab_d;
  std::string lib;  // empty: the installed library
  std::string cache_dir = "/var/cache/zsv";  // resolved services kept across boots (bootcache.h); empty: none
  std::string zsh;  // empty: the build's default, else the first zsh on PATH
  double lock_timeout = 30;       // seconds to wait for another run's lock
  double stop_grace = 5;          // seconds from the first TERM to KILL when stopping
  std::size_t max_input = 16u << 20;  // largest svtab, zsvrc or library file read
  bool dry_run = false;
  bool lint = false;
  bool json = false;
  int verbosity = 0;  // -q: -1, -v: 1 (and more)
  std::vector<std::string> only;
  std::string logfile;
  bool status = false;                    // --status [NAME...]: read the live system
  std::vector<std::string> status_names;  // empty: every service
  std::string why;                        // --why NAME: the story of one service
  bool user = false;  // --user: the caller's own tree, its defaults from XDG (userpaths.h)
  // Settings the library takes from zsvgen's environment (export_library_settings);
  // empty: zsv_config's own (/var/log/zsv, /etc/zsv/post-apply.d).
  std::string log_root;
  std::string post_apply_dir;
};

// Parses ARGV. On a usage error or --help, returns nullopt after printing to stderr
// (or the help to stdout) and sets EXIT_STATUS (2, or 0 for --help/--version).
std::optional<Options> parse_command_line(int argc, char** argv, int& exit_status);

// Puts what O says of the library's settings into this process's environment, where
// every zsh zsvgen starts reads it (lib/zsv_config): ZSV_LOGROOT, ZSV_POST_APPLY_DIR
// and ZSV_USER_TREE (1 with --user); each unset when it has no value.
void export_library_settings(const Options& o);

// Those three as the environment holds them, for the digest of what every entry's
// resolution reads.
std::string library_environment();

// The library directory: the option, else the installed one, else ../lib beside the
// binary (a build tree inside the source tree).
std::string find_lib_dir(const std::string& given, const char* argv0);

}  // namespace zsv
