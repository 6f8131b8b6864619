// signals: a fixed table of process groups, and a handler that only calls kill,
// signal and raise.
#include "signals.h"

#include <atomic>
#include <csignal>
#include <signal.h>

namespace zsv {

namespace {

constexpr int slots = 256;
std::atomic<pid_t> groups[slots];
constexpr int termination_signals[] = {SIGTERM, SIGINT, SIGHUP};

void on_termination(int sig) {
  for (auto& g : groups) {
    pid_t pg = g.load();
    if (pg > 0) ::kill(-pg, SIGKILL);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // delivered when the handler returns: zsvgen dies of SIG
}

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : termination_signals) sigaddset(&set, s);
  return set;
}

}  // namespace

void install_termination_handlers() {
  for (int s : termination_signals) {
    struct sigaction old {};
    if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = on_termination;
    sigemptyset(&sa.sa_mask);
    for (int t : termination_signals) sigaddset(&sa.sa_mask, t);
    ::sigaction(s, &sa, nullptr);
  }
}

void track_process_group(pid_t pgid) {
  for (auto& g : groups) {
    pid_t free = 0;
    if (g.compare_exchange_strong(free, pgid)) return;
  }
}

void forget_process_group(pid_t pgid) {
  for (auto& g : groups) {
    pid_t mine = pgid;
    if (g.compare_exchange_strong(mine, 0)) return;
  }
}

TerminationBlock::TerminationBlock() {
  sigset_t set = termination_set();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

TerminationBlock::~TerminationBlock() {
  sigset_t set = termination_set();
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void unblock_in_child() {
  sigset_t set = termination_set();
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace zsv
