// status_cmd: the effects of --status. Conditions run in parallel, each bounded by the
// check timeout; while they run, services that may be in a restart loop are watched.
#include "status_cmd.h"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "fsutil.h"
#include "inputs.h"
#include "livetree.h"
#include "settings.h"
#include "status.h"
#include "subproc.h"
#include "sources.h"
#include "zsv_build_config.h"

namespace zsv {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A service wanted up that is down, or has been up for less than this, may be restarting.
constexpr long long young_seconds = 2;
// How long such a service is watched: longer than runsv's 1 s pause between two starts
// of a run that exits at once, so a loop shows at least two state changes.
constexpr milliseconds watch_window{2500};
constexpr milliseconds watch_interval{50};

// The names of svtab's entries and generators ("dhcpcd.*").
std::set<std::string> svtab_names(const Options& opts) {
  std::set<std::string> names;
  Svtab tab = read_sources(opts.svtab, opts.svtab_d.value_or(opts.svtab + ".d"));
  for (const auto* list : {&tab.entries, &tab.generators})
    for (const Entry& e : *list) names.insert(e.name);
  return names;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The flags line of zsv/inputs: "flags E".
std::string flags_of(const LiveService& s) {
  auto it = s.files.find("zsv/inputs");
  if (it == s.files.end()) return "";
  std::istringstream in(it->second);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("flags ", 0) == 0) return l.substr(6);
  return "";
}

StatusRow row_of(const std::string& name, const LiveTree& live, const std::set<std::string>& tab,
                 const std::string& dir) {
  StatusRow r;
  r.name = name;
  r.in_svtab = tab.count(name) > 0;
  // An instance is in svtab while its generator is (SPEC §4).
  if (auto it = live.services.find(name); it != live.services.end())
    if (auto g = it->second.files.find("zsv/generator"); g != it->second.files.end())
      r.in_svtab = r.in_svtab || tab.count(g->second.substr(0, g->second.find('\n'))) > 0;
  auto it = live.services.find(name);
  if (it == live.services.end()) return r;
  const LiveService& s = it->second;
  r.in_tree = true;
  r.ours = s.ours;
  if (!s.ours) return r;
  r.want = s.want;
  r.flags = flags_of(s);
  if (auto src = s.files.find("zsv/source"); src != s.files.end()) r.source = first_line(src->second);
  std::string path = dir + "/" + name;
  if (std::ifstream in(path + "/zsv/backoff"); in) {
    std::string text(64, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    r.backoff = parse_backoff(text);
  }
  try {
    r.runsv = runsv_present(path);
    if (r.runsv) r.runit = read_status(path);
  } catch (const SystemError&) {
  }
  return r;
}

bool may_be_restarting(const StatusRow& r, long long now) {
  return r.runsv && r.runit && r.runit->want == 'u' && (r.runit->pid == 0 || now - r.runit->since < young_seconds);
}

// Watches the rows that may be restarting; two or more state changes recorded by runsv
// within the window mean a loop. Each row's status becomes the last one seen.
void watch_restarts(std::vector<StatusRow>& rows, const std::vector<std::size_t>& which, const std::string& dir) {
  if (which.empty()) return;  // nothing to watch: no wait
  std::vector<int> changes(which.size(), 0);
  auto key = [](const ServiceStatus& s) { return std::make_tuple(s.pid, s.since, s.state); };
  const auto end = Clock::now() + watch_window;
  while (Clock::now() < end) {
    std::this_thread::sleep_for(watch_interval);
    for (std::size_t k = 0; k < which.size(); ++k) {
      StatusRow& r = rows[which[k]];
      std::optional<ServiceStatus> st;
      try { st = read_status(dir + "/" + r.name); } catch (const SystemError&) {}
      if (!st) continue;
      if (key(*st) != key(*r.runit)) ++changes[k];
      r.runit = st;
    }
  }
  for (std::size_t k = 0; k < which.size(); ++k) rows[which[k]].restarting = changes[k] >= 2;
}

void run_conditions(std::vector<StatusRow>& rows, const LiveTree& live, const std::string& zsh,
                    const std::string& dir, milliseconds timeout) {
  std::vector<Job> jobs;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].ours || !live.services.at(rows[i].name).files.count("zsv/check")) continue;
    std::string path = dir + "/" + rows[i].name;
    jobs.push_back({zsh, {"-f", path + "/zsv/check"}, path, "", {}});
    index.push_back(i);
  }
  std::size_t parallel = std::max(2u, 2 * std::thread::hardware_concurrency());
  std::vector<JobResult> results = run_jobs(jobs, timeout, parallel);
  for (std::size_t k = 0; k < results.size(); ++k) {
    const JobResult& r = results[k];
    rows[index[k]].condition = !r.started ? Condition::unknown
                               : r.timed_out ? Condition::timed_out
                               : r.status == 0 ? Condition::holds : Condition::fails;
  }
}

bool colour_wanted() {
  const char* no = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) && (no == nullptr || *no == '\0');
}

}  // namespace

int status_command(const Options& opts, const char* argv0) {
  std::set<std::string> tab = svtab_names(opts);
  LiveTree live;
  struct stat st;
  if (::stat(opts.service_dir.c_str(), &st) == 0) {
    Fd dir = open_dir(opts.service_dir);
    live = read_live_tree(dir.get());
  }
  std::set<std::string> all;  // a generator is no service: its instances in the tree are
  for (const std::string& n : tab)
    if (!is_generator_name(n)) all.insert(n);
  for (const auto& [name, s] : live.services) all.insert(name);
  std::vector<std::string> names = opts.status_names.empty()
      ? std::vector<std::string>(all.begin(), all.end()) : opts.status_names;
  for (const std::string& n : names)
    if (!all.count(n)) {
      std::cerr << fmt::format("zsvgen: --status {}: no such service (not in {} nor in {})\n", n,
                               opts.svtab, opts.service_dir);
      return 2;
    }
  std::vector<StatusRow> rows;
  for (const std::string& n : names) rows.push_back(row_of(n, live, tab, opts.service_dir));

  // The zsh the tree's scripts name, found as the compile path finds it: not by PATH order.
  std::string zsh_error;
  std::string zsh = resolve_zsh(opts.zsh, ZSV_DEFAULT_ZSH, zsh_error);
  long long now = std::time(nullptr);
  std::vector<std::size_t> watched;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (may_be_restarting(rows[i], now)) watched.push_back(i);
  std::thread watcher([&] { watch_restarts(rows, watched, opts.service_dir); });
  if (!zsh.empty()) {
    SiteSettings settings = read_site_settings(zsh, find_lib_dir(opts.lib, argv0), opts.config, opts.service_dir);
    if (!settings.error.empty()) std::cerr << "zsvgen: warning: " << settings.error << "; the check timeout is 5 s\n";
    run_conditions(rows, live, zsh, opts.service_dir, settings.check_timeout);
  }
  watcher.join();
  now = std::time(nullptr);
  std::cout << (opts.json ? status_json(rows, now) : status_table(rows, now, colour_wanted()));
  return 0;
}

}  // namespace zsv
