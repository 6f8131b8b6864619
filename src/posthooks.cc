// posthooks: zsv/last, and the post-apply hooks run one after another through subproc.
#include "posthooks.h"

#include <algorithm>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "fsutil.h"
#include "subproc.h"
#include "why.h"

namespace zsv {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

// The last lines of what a failed hook printed, for its warning.
std::string tail_of(const std::string& output) {
  std::string t = output.size() > 2000 ? "..." + output.substr(output.size() - 2000) : output;
  if (!t.empty() && t.back() != '\n') t += '\n';
  return t;
}

}  // namespace

std::vector<std::string> record_last_actions(int dirfd, const std::vector<Action>& actions, long long now) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_service;
  for (const Action& a : actions)
    if (a.kind != "remove" && a.kind != "cleanup") by_service[a.service].emplace_back(a.kind, a.detail);
  std::vector<std::string> problems;
  for (const auto& [name, list] : by_service) {
    try {
      if (entry_type_at(dirfd, name + "/zsv") != EntryType::directory) continue;
      write_file_atomic(dirfd, name + "/zsv/last", last_text(now, list), 0644);
    } catch (const SystemError& e) {
      problems.push_back(fmt::format("{}: {}", name, e.what()));
    }
  }
  return problems;
}

std::vector<std::pair<std::string, std::string>> hook_environment(const ActionNames& n) {
  return {{"ZSV_CREATED", joined(n.created)}, {"ZSV_CHANGED", joined(n.changed)},
          {"ZSV_RESTARTED", joined(n.restarted)}, {"ZSV_REMOVED", joined(n.removed)},
          {"ZSV_STARTED", joined(n.started)}, {"ZSV_STOPPED", joined(n.stopped)}};
}

std::vector<std::string> list_hooks(const std::string& dir) {
  std::vector<std::string> out;
  struct stat st;
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
  Fd fd = open_dir(dir);
  for (const std::string& name : list_dir(fd.get())) {
    std::string path = dir + "/" + name;
    if (name.front() == '.' || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(path.c_str(), X_OK) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Diagnostic> run_post_apply_hooks(const std::string& dir, const std::string& json,
                                             const std::vector<std::pair<std::string, std::string>>& env,
                                             std::chrono::milliseconds timeout) {
  std::vector<Diagnostic> out;
  std::vector<std::string> hooks;
  try {
    hooks = list_hooks(dir);
  } catch (const SystemError& e) {
    out.push_back(make_diagnostic(Severity::warning, {dir, 0, 0}, fmt::format("post-apply hooks not run: {}", e.what())));
    return out;
  }
  std::vector<Job> jobs;
  for (const std::string& h : hooks) jobs.push_back({dir + "/" + h, {}, dir, json, env});
  // One at a time, in name order: a hook may rely on the one before it.
  std::vector<JobResult> results = run_jobs(jobs, timeout, 1);
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    const JobResult& r = results[i];
    std::string path = dir + "/" + hooks[i];
    std::string problem = !r.started ? "cannot run: " + r.error
        : r.timed_out ? fmt::format("took longer than {} s and was killed", timeout.count() / 1000.0)
        : r.status != 0 ? fmt::format("exited {}", r.status) : "";
    if (!problem.empty())
      out.push_back(make_diagnostic(Severity::warning, {path, 0, 0}, "post-apply hook " + problem, "", tail_of(r.output)));
  }
  return out;
}

}  // namespace zsv
