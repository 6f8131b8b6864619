// apply: the filesystem and runit side of a plan, one service at a time.
#include "apply.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "fsutil.h"
#include "livetree.h"
#include "runit.h"

namespace zsv {

namespace {

constexpr mode_t file_mode(const File& f) { return f.executable ? 0755 : 0644; }

void write_want(int svcfd, Want w) {
  write_file_atomic(svcfd, "zsv/want", std::string(want_word(w)) + "\n", 0644);
}

// Stops whatever runsv still serves the directory NAME, then deletes it. NAME is
// already a dot-name, so runsvdir will not start it again.
void retire(int dirfd, const std::string& dotname, const ApplySettings& s) {
  std::string path = s.service_dir + "/" + dotname;
  stop_service(path, s.stop_grace);
  send_control(path, 'x');
  send_control(path + "/log", 'x');
  wait_runsv_gone(path, s.runsv_wait);
  remove_tree_at(dirfd, dotname);
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
  // Point of no return: one rename makes the complete service visible to runsvdir.
  rename_at(dirfd, staging, p.name, true);
  sync_dir(dirfd);
}

void restart_if_running(const std::string& path) {
  auto st = read_status(path);
  if (st && st->pid != 0) send_control(path, 't');
}

void update_service(int dirfd, const ServicePlan& p, const ApplySettings& s) {
  Fd svc = open_dir_at(dirfd, p.name);
  if (!svc) throw SystemError("open " + s.service_dir + "/" + p.name, ENOENT);
  std::string path = s.service_dir + "/" + p.name;
  for (const File& f : p.writes) write_file_atomic(svc.get(), f.path, f.content, file_mode(f));
  for (const std::string& d : p.deletes) remove_file_at(svc.get(), d);
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
  if (p.command != 0) send_control(path, p.command);
  // Last, so that a run killed before this point repeats the edge.
  if (p.set_want) write_want(svc.get(), *p.set_want);
}

void remove_service(int dirfd, const ServicePlan& p, const ApplySettings& s) {
  // Stop it while it is still supervised under its own name, so nothing runs on unsupervised.
  stop_service(s.service_dir + "/" + p.name, s.stop_grace);
  std::string dot = retiring_name(p.name);
  clear_dot_name(dirfd, dot);
  rename_at(dirfd, p.name, dot, true);
  retire(dirfd, dot, s);
}

}  // namespace

std::vector<ApplyFailure> apply_plan(const Plan& plan, int dirfd, const ApplySettings& s) {
  std::vector<ApplyFailure> failures;
  auto attempt = [&](const std::string& name, auto&& step) {
    try {
      step();
    } catch (const SystemError& e) {
      failures.push_back({name, e.what()});
    }
  };
  for (const std::string& dot : plan.leftovers) attempt(dot, [&] { retire(dirfd, dot, s); });
  bool rescan = !plan.leftovers.empty();
  for (const ServicePlan& p : plan.services) {
    rescan = rescan || p.op == Op::create || p.op == Op::remove || p.restart_runsv;
    attempt(p.name, [&] {
      switch (p.op) {
        case Op::create: create_service(dirfd, p); break;
        case Op::update: update_service(dirfd, p, s); break;
        case Op::remove: remove_service(dirfd, p, s); break;
        case Op::keep: break;
      }
    });
  }
  // runsvdir looks at the directory within 5 s; new, removed and restarted runsv are
  // seen at once where it can be asked to look now.
  if (rescan) nudge_runsvdir(s.service_dir);
  return failures;
}

}  // namespace zsv
