// posthooks: what follows an apply that changed something (SPEC §6): each service
// acted on gets its zsv/last, then every executable of the post-apply directory runs
// in name order with the run's JSON report on stdin and the ZSV_* name lists in its
// environment, each bounded; a hook's failure is a warning and changes nothing else.
#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "diag.h"
#include "report.h"

namespace zsv {

// Writes SERVICE/zsv/last (last_text) for each service ACTIONS acted on and that is
// still there. Not one of the files zsv compares: it never causes a write or a restart.
// Returns the services it could not record, with why.
std::vector<std::string> record_last_actions(int dirfd, const std::vector<Action>& actions, long long now);

// ZSV_CREATED, ZSV_CHANGED, ZSV_RESTARTED, ZSV_REMOVED, ZSV_STARTED, ZSV_STOPPED: the
// space-separated names, each set (empty when none).
std::vector<std::pair<std::string, std::string>> hook_environment(const ActionNames& names);

// The executables of DIR, by name (byte order); dot-files are skipped. None when DIR
// does not exist.
std::vector<std::string> list_hooks(const std::string& dir);

// Runs the hooks of DIR; ENV is added to each one's environment. A hook that exits
// non-zero, cannot start or times out (its process group is killed) gives a warning.
std::vector<Diagnostic> run_post_apply_hooks(const std::string& dir, const std::string& json,
                                             const std::vector<std::pair<std::string, std::string>>& env,
                                             std::chrono::milliseconds timeout);

}  // namespace zsv
