// service_settings: what an entry sets beyond its commands (SPEC §10): who the service
// runs as, its environment, directories, umask, nice value, limits, readiness check and
// crash-loop backoff. Parsing and the run script's lines are pure; checking names
// against the system (users, groups, directories) is the one effect, passed in.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsv {

struct ServiceSettings {
  std::string user, group;      // names; empty: as runsv runs it
  std::vector<std::string> env; // NAME=VALUE, in order
  std::string chdir, chroot;    // absolute directories; empty: unset
  std::string umask;            // octal digits; empty: unset
  std::optional<int> nice;      // an increment, -20..19
  std::map<std::string, std::string> limits;  // nofile, nproc, core, data, as, stack, fsize
  std::string ready;            // a readiness command; empty: none
  int backoff_max = 60;         // seconds; 0: no backoff
  bool operator==(const ServiceSettings&) const = default;
};

// The evaluator's T record: name/value pairs ("env" and "limit" once per element, a
// limit as "KEY=VALUE"). Returns the first problem, naming the setting; empty: fine.
std::string parse_service_settings(const std::vector<std::string>& pairs, ServiceSettings& out);

// The system facts the settings are checked against.
struct SystemNames {
  std::function<bool(const std::string&)> user_exists, group_exists, is_directory;
};
SystemNames real_system_names();

// The first setting the system contradicts (an unknown user, a missing directory).
std::string check_against_system(const ServiceSettings& s, const SystemNames& sys);

// Whether the settings wrap the command in $run (user, group, env, chroot, nice).
bool wraps_run(const ServiceSettings& s);

// The run script's lines between its output redirection and its run function: the
// backoff wait, umask, limits, working directory, and $run wrapped in env and chpst.
std::string run_prelude(const ServiceSettings& s);

// zsv/backoff (lib/zsv_backoff), the run script's crash-loop bookkeeping: quick
// restarts in a row, the last start, and until when the current wait lasts (0: not
// waiting); unix times. zsvgen creates it as backoff_fresh and resets it so.
struct Backoff {
  long long fails = 0, started = 0, until = 0;
  bool waiting(long long now) const { return until != 0 && until > now; }
};
inline constexpr const char* backoff_fresh = "0 0 0\n";
// Parses zsv/backoff's "FAILS STARTED UNTIL"; nullopt when malformed.
std::optional<Backoff> parse_backoff(const std::string& text);

// VALUE as one zsh word that means exactly VALUE: single-quoted, or $'...' with \xHH
// escapes where it holds a control byte.
std::string shell_word(const std::string& value);

}  // namespace zsv
