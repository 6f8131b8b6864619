// stop: taking services down so that the stop always finishes (SPEC §6, RUNIT.md
// "Process groups and stopping"): 'd' to each runsv, TERM again every TERM_EVERY during
// the grace (a daemon busy with carrier loss drops one), then KILL to the service's
// whole process group, so no helper survives. Many services are stopped together.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace zsv {

struct StopSettings {
  std::chrono::milliseconds grace{5000};       // the first TERM to KILL
  std::chrono::milliseconds term_every{500};   // TERM repeated this often meanwhile
  std::chrono::milliseconds kill_wait{1000};   // after KILL, for runsv to record it
};

// The process runsv runs for SERVICE (a path): its pid and process group, taken from
// supervise/status only when /proc shows it is the child of a runsv whose working
// directory is SERVICE. Nullopt when nothing runs or the pid is not that runsv's child.
struct ServiceProcess {
  pid_t pid = 0;
  pid_t pgid = 0;  // == pid when the service leads its own group (its run's chpst -P)
};
std::optional<ServiceProcess> supervised_process(const std::string& service);

// A service whose stop could not even be asked for (its control FIFO is not a FIFO...).
struct StopFailure {
  std::string service;
  std::string message;
};

// Stops every service in SERVICES (paths) at once and returns when each is down with no
// process left in its own group, or after GRACE plus KILL_WAIT. A service with no runsv
// is left alone. A group this process belongs to is never signalled as a whole.
std::vector<StopFailure> stop_services(const std::vector<std::string>& services, const StopSettings& settings);

}  // namespace zsv
