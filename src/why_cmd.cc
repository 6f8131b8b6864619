// why_cmd: the effects of --why: one zsh on lib/zsv_why (beside the one on
// lib/zsv_settings), and the live zsv/check, each bounded.
#include "why_cmd.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>

#include <fmt/format.h>

#include "fsutil.h"
#include "livetree.h"
#include "settings.h"
#include "subproc.h"
#include "sources.h"
#include "why.h"
#include "inputs.h"
#include "zsv_build_config.h"

namespace zsv {

namespace {

constexpr std::chrono::seconds why_timeout{10};

// Fills IN's tree facts from SERVICE_DIR/NAME.
void read_tree(const std::string& service_dir, const std::string& name, WhyInput& in) {
  struct stat st;
  if (::stat(service_dir.c_str(), &st) != 0) return;
  Fd dir = open_dir(service_dir);
  LiveTree live = read_live_tree(dir.get());
  auto it = live.services.find(name);
  if (it == live.services.end()) return;
  in.in_tree = true;
  in.ours = it->second.ours;
  if (!in.ours) return;
  for (const char* path : {"run", "log/run", "zsv/check"})
    if (auto f = it->second.files.find(path); f != it->second.files.end()) in.scripts[path] = f->second;
  if (it->second.want) in.want = want_word(*it->second.want);
  if (Fd svc = open_dir_at(dir.get(), name)) in.last = read_file_at(svc.get(), "zsv/last").value_or("");
}

void run_condition(const std::string& zsh, const std::string& path, std::chrono::milliseconds timeout, WhyInput& in) {
  JobResult r = run_jobs({Job{zsh, {"-f", path + "/zsv/check"}, path, "", {}}}, timeout, 1).front();
  in.check_status = r.status;
  in.check_output = r.output;
  in.condition = !r.started ? "not run: " + r.error : r.timed_out ? "timed out" : r.status == 0 ? "holds" : "fails";
}

}  // namespace

int why_command(const Options& opts, const char* argv0) {
  Svtab tab = read_sources(opts.svtab, opts.svtab_d.value_or(opts.svtab + ".d"));
  const Entry* entry = nullptr;
  for (const Entry& e : tab.entries)
    if (e.name == opts.why) entry = &e;
  // No entry of its own: an instance of a generator prefix.* (SPEC §4) has its entry.
  Entry instance;
  for (const Entry& g : tab.generators)
    if (entry == nullptr && opts.why.size() > g.name.size() - 1 &&
        opts.why.compare(0, g.name.size() - 1, g.name, 0, g.name.size() - 1) == 0) {
      instance = g;
      instance.name = opts.why;
      instance.generator = g.name;
      entry = &instance;
    }
  if (entry == nullptr && has_errors(tab.diags)) {
    for (const Diagnostic& d : tab.diags) std::cerr << format_diagnostic(d);
    return 1;
  }
  if (entry == nullptr) {
    std::cerr << fmt::format("zsvgen: --why {}: {} has no entry of that name\n", opts.why, opts.svtab);
    return 2;
  }
  WhyInput in;
  in.entry = entry;
  in.zsvrc = opts.config;
  in.now = std::time(nullptr);
  read_tree(opts.service_dir, entry->name, in);

  // The zsh the tree's scripts name, found as the compile path finds it: not by PATH order.
  std::string zsh_error;
  std::string zsh = resolve_zsh(opts.zsh, ZSV_DEFAULT_ZSH, zsh_error);
  if (zsh.empty()) {
    std::cerr << "zsvgen: " << zsh_error << "\n";
    return 4;
  }
  std::string lib = find_lib_dir(opts.lib, argv0);
  std::vector<std::string> args{"-f", lib + "/zsv_why", lib, opts.config, opts.service_dir, entry->name};
  for (const auto& [path, script] : in.scripts)
    for (const std::string& fn : script_functions(script)) args.push_back(fn);
  std::vector<JobResult> r = run_jobs(
      {Job{zsh, {"-f", lib + "/zsv_settings", lib, opts.config, opts.service_dir}, "", "", {}},
       Job{zsh, args, "", entry->code, {}}},
      why_timeout, 2);
  SiteSettings settings = r[0].status == 0 && !r[0].timed_out ? parse_settings(r[0].output) : SiteSettings{};
  in.facts = parse_why_output(r[1].output);
  if (r[1].timed_out) in.facts.error = fmt::format("resolving took longer than {} s", why_timeout.count());
  else if (r[1].status != 0 && in.facts.error.empty()) in.facts.error = fmt::format("lib/zsv_why exited {}", r[1].status);
  if (in.ours && in.scripts.count("zsv/check"))
    run_condition(zsh, opts.service_dir + "/" + entry->name, settings.check_timeout, in);
  std::cout << why_story(in);
  return 0;
}

}  // namespace zsv
