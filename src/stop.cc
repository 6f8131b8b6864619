// stop: 'd', repeated TERM, then KILL of the process group, for many services together.
#include "stop.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include "fsutil.h"
#include "runit.h"

namespace zsv {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds poll_interval{20};

std::string proc_text(pid_t pid, const char* file) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f) return {};
  char buf[1024];
  ssize_t n = ::read(f.get(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// ppid and pgrp of PID from /proc/PID/stat ("pid (comm) state ppid pgrp ...").
bool parent_and_group(pid_t pid, pid_t& ppid, pid_t& pgrp) {
  std::string stat = proc_text(pid, "stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return false;
  char state = 0;
  long pp = 0, pg = 0;
  if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &pp, &pg) != 3) return false;
  ppid = static_cast<pid_t>(pp);
  pgrp = static_cast<pid_t>(pg);
  return true;
}

// Whether PID is a runsv working in SERVICE.
bool is_runsv_of(pid_t pid, const std::string& service) {
  if (proc_text(pid, "comm") != "runsv\n") return false;
  char cwd[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  ssize_t n = ::readlink(link.c_str(), cwd, sizeof cwd);
  return n > 0 && std::string(cwd, static_cast<std::size_t>(n)) == service;
}

// One service being stopped.
struct Stopping {
  std::string path;
  ServiceProcess proc;  // pid 0: nothing of it was running
  bool own_group = false;
  bool done = false;
};

bool main_running(const Stopping& s) {
  if (s.proc.pid == 0) return false;
  auto st = read_status(s.path);
  return st && st->pid == s.proc.pid;  // not reaped yet: the pid is still the service's
}

bool group_alive(const Stopping& s) { return s.own_group && (::kill(-s.proc.pgid, 0) == 0 || errno == EPERM); }

void signal_service(const Stopping& s, int sig) {
  if (main_running(s)) {
    ::kill(s.proc.pid, sig);
    ::kill(s.proc.pid, SIGCONT);
  }
  if (s.own_group) ::kill(-s.proc.pgid, sig);
}

Stopping begin_stop(const std::string& path) {
  Stopping s;
  s.path = path;
  auto proc = supervised_process(path);
  if (send_control(path, 'd') == ControlResult::no_runsv) {
    s.done = true;
    return s;
  }
  if (proc) {
    s.proc = *proc;
    // A zsvgen run by the service's own hook is in that group: it must not kill itself.
    s.own_group = proc->pgid == proc->pid && proc->pgid != ::getpgrp();
  } else {
    s.done = true;  // no process of it to wait for (or one we may not signal)
  }
  return s;
}

// Polls until every service in ALL is done or DEADLINE passes; with TERM_EVERY, TERMs
// the ones still there that often.
void wait_stopped(std::vector<Stopping>& all, Clock::time_point deadline,
                  std::optional<std::chrono::milliseconds> term_every) {
  auto next_term = Clock::now() + term_every.value_or(std::chrono::milliseconds(0));
  for (;;) {
    bool pending = false;
    for (Stopping& s : all) {
      if (s.done) continue;
      s.done = !main_running(s) && !group_alive(s);
      pending = pending || !s.done;
    }
    auto now = Clock::now();
    if (!pending || now >= deadline) return;
    if (term_every && now >= next_term) {
      for (const Stopping& s : all)
        if (!s.done) signal_service(s, SIGTERM);
      next_term = now + *term_every;
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace

std::optional<ServiceProcess> supervised_process(const std::string& service) {
  auto st = read_status(service);
  if (!st || st->pid <= 0) return std::nullopt;
  pid_t ppid = 0, pgrp = 0;
  if (!parent_and_group(st->pid, ppid, pgrp) || !is_runsv_of(ppid, service)) return std::nullopt;
  return ServiceProcess{st->pid, pgrp};
}

std::vector<StopFailure> stop_services(const std::vector<std::string>& services, const StopSettings& s) {
  std::vector<Stopping> all;
  std::vector<StopFailure> failures;
  for (const std::string& path : services) {
    try {
      all.push_back(begin_stop(path));
    } catch (const SystemError& e) {
      failures.push_back({path, e.what()});
    }
  }
  const auto start = Clock::now();
  wait_stopped(all, start + s.grace, s.term_every);
  bool killed = false;
  for (const Stopping& st : all)
    if (!st.done) {
      signal_service(st, SIGKILL);
      killed = true;
    }
  if (killed) wait_stopped(all, Clock::now() + s.kill_wait, std::nullopt);
  return failures;
}

}  // namespace zsv
