// apply: the filesystem and runit side of a plan. Files first, service by service; then
// every stop the run decided, all at once (removed services and conditions gone false);
// then the removed services are let go of and deleted, together.
#include "apply.h"

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>

#include <fmt/format.h>

#include "fsutil.h"
#include "livetree.h"
#include "runit.h"
#include "service_settings.h"

namespace zsv {

namespace {

constexpr mode_t file_mode(const File& f) { return f.executable ? 0755 : 0644; }

void write_want(int svcfd, Want w) {
  write_file_atomic(svcfd, "zsv/want", std::string(want_word(w)) + "\n", 0644);
}

// zsv/backoff says "no quick restarts" (backoff_fresh): created with the service, later
// rewritten in place, so that neither zsvgen nor the run script moves zsv/'s timestamps.
void reset_backoff(int svcfd) {
  Fd fd(::openat(svcfd, "zsv/backoff", O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return;  // a service from before backoff: its run script creates it
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  [[maybe_unused]] ssize_t n = ::write(fd.get(), backoff_fresh, std::char_traits<char>::length(backoff_fresh));
}

// Clears the way for a dot-name zsv is about to use: zsv's own leftover goes, anything
// else there is someone's data and is kept (the service fails instead).
void clear_dot_name(int dirfd, const std::string& dot) {
  if (entry_type_at(dirfd, dot) == EntryType::missing) return;
  if (!zsv_leftover_at(dirfd, dot)) throw SystemError(dot + " exists and is not zsv's: left alone", EEXIST);
  remove_tree_at(dirfd, dot);
}

void create_service(int dirfd, const ServicePlan& p) {
  std::string staging = staging_name(p.name);
  clear_dot_name(dirfd, staging);
  if (::mkdirat(dirfd, staging.c_str(), 0755) != 0) throw SystemError("mkdir " + staging, errno);
  Fd svc = open_dir_at(dirfd, staging);
  if (!svc) throw SystemError("open " + staging, ENOENT);
  // zsv's mark first: a run killed from here on leaves a leftover the next run may delete.
  if (::mkdirat(svc.get(), "zsv", 0755) != 0) throw SystemError("mkdir " + staging + "/zsv", errno);
  for (const File& f : p.writes) write_file_atomic(svc.get(), f.path, f.content, file_mode(f));
  if (p.write_down) write_file_atomic(svc.get(), "down", "", 0644);
  write_want(svc.get(), *p.set_want);
  write_file_atomic(svc.get(), "zsv/backoff", backoff_fresh, 0644);
  // Point of no return: one rename makes the complete service visible to runsvdir.
  rename_at(dirfd, staging, p.name, true);
  sync_dir(dirfd);
}

void restart_if_running(const std::string& path) {
  auto st = read_status(path);
  if (st && st->pid != 0) send_control(path, 't');
}

// Writes the changed files and sends the restarts and a 'u'. A 'd' is the stop phase's,
// and so is then zsv/want.
void update_service(int dirfd, const ServicePlan& p, const ApplySettings& s) {
  Fd svc = open_dir_at(dirfd, p.name);
  if (!svc) throw SystemError("open " + s.service_dir + "/" + p.name, ENOENT);
  std::string path = s.service_dir + "/" + p.name;
  // The intent first: from here until its removal, a killed run leaves its restarts
  // to the next one.
  const std::string pending = p.pending();
  if (!pending.empty()) write_file_atomic(svc.get(), "zsv/pending", pending + "\n", 0644);
  for (const File& f : p.writes) write_file_atomic(svc.get(), f.path, f.content, file_mode(f));
  for (const std::string& d : p.deletes) remove_file_at(svc.get(), d);
  // A start or restart zsvgen asks for is no crash: the backoff starts over (lib/zsv_backoff).
  if (p.command == 'u' || p.restart_service) reset_backoff(svc.get());
  if (p.restart_runsv) {
    // runsv reads log/ only when it starts: make it exit; runsvdir starts a new one.
    send_control(path, 'x');
    if (p.remove_log_dir) {
      wait_runsv_gone(path, s.runsv_wait);
      remove_tree_at(svc.get(), "log");
    }
  } else {
    if (p.restart_service && p.command == 0) restart_if_running(path);
    if (p.restart_log) restart_if_running(path + "/log");
  }
  if (p.write_down) write_file_atomic(svc.get(), "down", "", 0644);
  if (p.remove_down) remove_file_at(svc.get(), "down");
  // The restarts are sent (or, with a 'd' to come, moot): the intent is carried out.
  if (!pending.empty() || p.clear_pending) remove_file_at(svc.get(), "zsv/pending");
  if (p.command == 'd') return;
  if (p.command != 0) send_control(path, p.command);
  // Last, so that a run killed before this point repeats the edge.
  if (p.set_want) write_want(svc.get(), *p.set_want);
}

// Collects the failures of one apply, one per service at most.
class Attempts {
 public:
  template <class Step>
  bool attempt(const std::string& name, Step&& step) {
    if (failed_.count(name)) return false;
    try {
      step();
      return true;
    } catch (const SystemError& e) {
      failed_.emplace(name, e.what());
      return false;
    }
  }
  void fail(const std::string& name, const std::string& message) { failed_.emplace(name, message); }
  bool failed(const std::string& name) const { return failed_.count(name) != 0; }
  std::vector<ApplyFailure> failures() const {
    std::vector<ApplyFailure> out;
    for (const auto& [name, message] : failed_) out.push_back({name, message});
    return out;
  }

 private:
  std::map<std::string, std::string> failed_;
};

// The removed services and the leftovers of a killed run (DOTS, already stopped): each
// renamed to its dot-name, its runsv and log runsv told to exit and waited for, all
// together, then deleted.
void retire_all(int dirfd, const std::vector<std::string>& removed, std::vector<std::string> dots,
                const ApplySettings& s, Attempts& at) {
  for (const std::string& name : removed) {
    std::string dot = retiring_name(name);
    if (at.attempt(name, [&] {
          clear_dot_name(dirfd, dot);
          rename_at(dirfd, name, dot, true);
        }))
      dots.push_back(dot);
  }
  for (const std::string& dot : dots)
    at.attempt(dot, [&] {
      send_control(s.service_dir + "/" + dot, 'x');
      send_control(s.service_dir + "/" + dot + "/log", 'x');
    });
  const auto deadline = std::chrono::steady_clock::now() + s.runsv_wait;
  for (const std::string& dot : dots) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    wait_runsv_gone(s.service_dir + "/" + dot, std::max(left, std::chrono::milliseconds(0)));
    at.attempt(dot, [&] { remove_tree_at(dirfd, dot); });
  }
}

}  // namespace

std::vector<ApplyFailure> apply_plan(const Plan& plan, int dirfd, const ApplySettings& s) {
  Attempts at;
  std::vector<std::string> stops;           // paths, all stopped together
  std::vector<const ServicePlan*> dropped;  // condition gone false: zsv/want after the stop
  std::vector<std::string> removed;
  for (const std::string& dot : plan.leftovers) stops.push_back(s.service_dir + "/" + dot);
  bool rescan = !plan.leftovers.empty();
  for (const ServicePlan& p : plan.services) {
    rescan = rescan || p.op == Op::create || p.op == Op::remove || p.restart_runsv;
    const std::string path = s.service_dir + "/" + p.name;
    switch (p.op) {
      case Op::create: at.attempt(p.name, [&] { create_service(dirfd, p); }); break;
      case Op::update:
        if (at.attempt(p.name, [&] { update_service(dirfd, p, s); }) && p.command == 'd') {
          stops.push_back(path);
          dropped.push_back(&p);
        }
        break;
      case Op::remove:
        // Stopped while still supervised under its own name: nothing runs on unsupervised.
        stops.push_back(path);
        removed.push_back(p.name);
        break;
      case Op::keep: break;
    }
  }
  const std::size_t prefix = s.service_dir.size() + 1;
  for (const StopFailure& f : stop_services(stops, s.stop)) at.fail(f.service.substr(prefix), f.message);
  for (const ServicePlan* p : dropped)
    at.attempt(p->name, [&] {
      Fd svc = open_dir_at(dirfd, p->name);
      if (!svc) throw SystemError("open " + s.service_dir + "/" + p->name, ENOENT);
      write_want(svc.get(), *p->set_want);  // last: a run killed before it stops it again
    });
  std::erase_if(removed, [&](const std::string& n) { return at.failed(n); });
  std::vector<std::string> dots;
  for (const std::string& dot : plan.leftovers)
    if (!at.failed(dot)) dots.push_back(dot);
  retire_all(dirfd, removed, dots, s, at);
  // runsvdir looks at the directory within 5 s; new, removed and restarted runsv are
  // seen at once where it can be asked to look now.
  if (rescan) nudge_runsvdir(s.service_dir);
  return at.failures();
}

}  // namespace zsv
