// apply: carries a plan out on the live tree, talking to runsv where one runs.
// Every file lands by rename; a new service appears by one rename of a complete
// directory; a removed one is stopped before runsvdir is let go of it.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "plan.h"

namespace zsv {

struct ApplySettings {
  std::string service_dir;
  std::chrono::milliseconds stop_grace{3000};   // TERM to KILL, for removed services
  std::chrono::milliseconds runsv_wait{7000};   // for a released runsv to exit
};

// A service the plan could not be carried out for, and why (a system error).
struct ApplyFailure {
  std::string service;
  std::string message;
};

// Carries out PLAN under DIRFD (the opened service directory), one service at a time;
// a service that fails (say, a symlink planted where zsv keeps its own file) is left
// as the failure left it, and the others are still done.
std::vector<ApplyFailure> apply_plan(const Plan& plan, int dirfd, const ApplySettings& settings);

}  // namespace zsv
