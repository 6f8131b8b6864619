// subproc: Boost.Process children in their own process groups, fed and drained
// through non-blocking pipes by one poll loop, each killed whole at its deadline.
#include "subproc.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>

#include "fsutil.h"

namespace zsv {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

namespace {

std::pair<Fd, Fd> pipe_pair() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw SystemError("pipe", errno);
  return {Fd(p[0]), Fd(p[1])};
}

struct Running {
  std::size_t index = 0;
  std::unique_ptr<bp::child> child;
  Fd in, out;
  std::size_t in_pos = 0;
  Clock::time_point deadline;
};

// Starts JOB; on failure R says why and the returned Running has no child.
Running start(const Job& job, std::size_t index, std::chrono::milliseconds timeout, JobResult& r) {
  Running run;
  run.index = index;
  auto [in_r, in_w] = pipe_pair();
  auto [out_r, out_w] = pipe_pair();
  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : job.env) env[k] = v;
  try {
    auto setup = bp::extend::on_exec_setup([](auto&) { ::setpgid(0, 0); });
    if (job.cwd.empty())
      run.child = std::make_unique<bp::child>(bp::exe(job.program), bp::args(job.args), env,
          bp::posix::fd.bind(0, in_r.get()), bp::posix::fd.bind(1, out_w.get()),
          bp::posix::fd.bind(2, out_w.get()), setup);
    else
      run.child = std::make_unique<bp::child>(bp::exe(job.program), bp::args(job.args), env,
          bp::start_dir(job.cwd), bp::posix::fd.bind(0, in_r.get()), bp::posix::fd.bind(1, out_w.get()),
          bp::posix::fd.bind(2, out_w.get()), setup);
  } catch (const std::exception& e) {
    r.error = e.what();
    return run;
  }
  r.started = true;
  run.in = std::move(in_w);
  run.out = std::move(out_r);
  ::fcntl(run.in.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(run.out.get(), F_SETFL, O_NONBLOCK);
  if (job.input.empty()) run.in = Fd();
  run.deadline = Clock::now() + timeout;
  return run;
}

void feed(Running& run, const std::string& input) {
  while (run.in && run.in_pos < input.size()) {
    ssize_t n = ::write(run.in.get(), input.data() + run.in_pos, input.size() - run.in_pos);
    if (n > 0) { run.in_pos += static_cast<std::size_t>(n); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    run.in = Fd();  // EPIPE: it does not read its input
    return;
  }
  run.in = Fd();
}

void drain(Running& run, std::string& into) {
  char buf[8192];
  while (run.out) {
    ssize_t n = ::read(run.out.get(), buf, sizeof buf);
    if (n > 0) {
      into.append(buf, std::min(static_cast<std::size_t>(n), output_limit - std::min(output_limit, into.size())));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    run.out = Fd();
  }
}

// True when RUN's child has ended (or was killed at its deadline); fills R.
bool finished(Running& run, JobResult& r) {
  std::error_code ec;
  if (run.child->running(ec) && !ec) {
    if (Clock::now() < run.deadline) return false;
    ::kill(-run.child->id(), SIGKILL);
    run.child->wait(ec);
    r.timed_out = true;
  }
  drain(run, r.output);
  int raw = run.child->native_exit_code();
  r.status = WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : WEXITSTATUS(raw);
  return true;
}

}  // namespace

std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, std::chrono::milliseconds timeout,
                                std::size_t parallel) {
  std::vector<JobResult> results(jobs.size());
  std::vector<Running> running;
  std::size_t next = 0;
  parallel = std::max<std::size_t>(parallel, 1);
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < parallel) {
      Running r = start(jobs[next], next, timeout, results[next]);
      ++next;
      if (r.child) running.push_back(std::move(r));
    }
    std::vector<pollfd> fds;
    for (Running& r : running) {
      if (r.in) fds.push_back({r.in.get(), POLLOUT, 0});
      if (r.out) fds.push_back({r.out.get(), POLLIN, 0});
    }
    // Child exits are not descriptor events: look again every few milliseconds.
    ::poll(fds.data(), fds.size(), 5);
    for (Running& r : running) {
      feed(r, jobs[r.index].input);
      drain(r, results[r.index].output);
    }
    std::erase_if(running, [&](Running& r) { return finished(r, results[r.index]); });
  }
  return results;
}

}  // namespace zsv
