// apply: carries a plan out on the live tree, talking to runsv where one runs.
// Every file lands by rename; a new service appears by one rename of a complete
// directory; a removed one is stopped before runsvdir is let go of it. Stops always
// finish: repeated TERM, then KILL of the service's process group (stop.h).
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "plan.h"
#include "stop.h"

namespace zsv {

struct ApplySettings {
  std::string service_dir;
  StopSettings stop;                            // for removed services and conditions gone false
  std::chrono::milliseconds runsv_wait{7000};   // for released runsv to exit
};

// A service the plan could not be carried out for, and why (a system error).
struct ApplyFailure {
  std::string service;
  std::string message;
};

// Carries out PLAN under DIRFD (the opened service directory): files service by service,
// then every stop at once, then the removals together. A service that fails (say, a symlink planted where zsv keeps its own file) is left
// as the failure left it, and the others are still done.
std::vector<ApplyFailure> apply_plan(const Plan& plan, int dirfd, const ApplySettings& settings);

}  // namespace zsv
