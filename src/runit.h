// runit: talking to one runsv through its supervise/ directory (RUNIT.md). Never blocks:
// control FIFOs are opened O_NONBLOCK and a missing reader means "no runsv".
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>

namespace zsv {

enum class ControlResult {
  sent,      // the byte was written to a running runsv
  no_runsv,  // no supervise/control, or no reader on it (ENXIO): nothing to tell
};

// Writes the one-byte command CMD ('u', 'd', 't', 'x', 'k', ...) to SERVICE/supervise/control,
// where SERVICE is a path (for the log service: ".../NAME/log"). Throws SystemError on
// errors other than "no runsv".
ControlResult send_control(const std::string& service, char cmd);

// The 20-byte supervise/status file, decoded.
struct ServiceStatus {
  pid_t pid = 0;           // 0 when the service is not running
  bool paused = false;
  char want = 0;           // 'u', 'd' or 0
  bool got_term = false;
  int state = 0;           // 0 down, 1 run, 2 finish
  long long since = 0;     // unix time of the last state change
};
// Decodes the raw bytes of a status file; nullopt when it is not 20 bytes.
std::optional<ServiceStatus> decode_status(const std::string& bytes);
// Reads SERVICE/supervise/status; nullopt when absent or malformed (never supervised).
std::optional<ServiceStatus> read_status(const std::string& service);

// True when a runsv holds SERVICE/supervise/control open for reading.
bool runsv_present(const std::string& service);

// Waits (bounded by TIMEOUT) until no runsv serves SERVICE (and SERVICE/log).
// Returns true when both are gone.
bool wait_runsv_gone(const std::string& service, std::chrono::milliseconds timeout);

// Asks each runsvdir watching DIR to rescan now rather than within its 5 s: Debian's
// runsvdir rescans on SIGALRM. Only a runsvdir that catches SIGALRM is sent one (to
// an upstream runsvdir it would be fatal). Returns how many were asked.
int nudge_runsvdir(const std::string& dir);

}  // namespace zsv
