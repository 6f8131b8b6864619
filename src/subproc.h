// subproc: bounded child processes for what zsvgen runs besides its evaluator (the
// conditions of --status and --why, the post-apply hooks). Each child leads a process
// group of its own, so a timeout kills it whole; nothing waits past its bound.
#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace zsv {

struct Job {
  std::string program;             // absolute path
  std::vector<std::string> args;   // after argv[0]
  std::string cwd;                 // empty: zsvgen's
  std::string input;               // written to its stdin, which is then closed
  std::vector<std::pair<std::string, std::string>> env;  // added to zsvgen's environment
};

struct JobResult {
  bool started = false;
  bool timed_out = false;  // killed (its whole process group) at the timeout
  int status = -1;         // exit status, or 128 + signal
  std::string output;      // stdout and stderr together, at most output_limit bytes
  std::string error;       // why it did not start
};

constexpr std::size_t output_limit = 64 * 1024;

// Runs JOBS, at most PARALLEL at a time, each bounded by TIMEOUT from its start;
// results in the order of JOBS. A child that exits while something it left behind
// still holds its output open is done when it exits.
std::vector<JobResult> run_jobs(const std::vector<Job>& jobs, std::chrono::milliseconds timeout,
                                std::size_t parallel);

}  // namespace zsv
