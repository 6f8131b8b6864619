// signals: TERM, INT and HUP end zsvgen, and with it every process group it started
// (the evaluators, their entries' subshells and checks), so that nothing it began
// outlives it and its lock goes with it. The handler is async-signal-safe: it kills
// the registered groups and dies of the signal.
#pragma once
#include <sys/types.h>

namespace zsv {

// Once, at start. A signal the caller left ignored (nohup) stays ignored.
void install_termination_handlers();

// A process group the handler kills; forget it once it is reaped.
void track_process_group(pid_t pgid);
void forget_process_group(pid_t pgid);

// While alive, the termination signals wait: a child started meanwhile is tracked
// before the handler can run. Children unblock them (unblock_in_child, before exec).
class TerminationBlock {
 public:
  TerminationBlock();
  ~TerminationBlock();
  TerminationBlock(const TerminationBlock&) = delete;
  TerminationBlock& operator=(const TerminationBlock&) = delete;
};
void unblock_in_child();

}  // namespace zsv
