// main: the pipeline, in order: svtab -> eval -> render -> livetree -> plan -> apply,
// and the one place that decides what the diagnostics mean for the exit status.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "apply.h"
#include "cli.h"
#include "eval.h"
#include "fsutil.h"
#include "bootcache.h"
#include "instances.h"
#include "inputs.h"
#include "livetree.h"
#include "native_check.h"
#include "plan.h"
#include "posthooks.h"
#include "render.h"
#include "report.h"
#include "reuse.h"
#include "settings.h"
#include "settings_cache.h"
#include "sources.h"
#include "status_cmd.h"
#include "why_cmd.h"
#include "signals.h"
#include "zsv_build_config.h"
#include "svtab.h"
#include "userpaths.h"

namespace zsv {
namespace {

enum Exit { exit_ok = 0, exit_input = 1, exit_usage = 2, exit_partial = 3, exit_system = 4 };

// Where the run's lines go: stdout/stderr as the options say, and the LOGFILE. The
// LOGFILE is opened without blocking (a FIFO, a terminal) and must be a regular file or
// a character device; any problem with it is a warning (warning()), never a failure.
class Output {
 public:
  explicit Output(const Options& o) : opts_(o) {
    if (!o.logfile.empty()) open_log(o.logfile);
  }
  const std::string& warning() const { return warning_; }
  void diag(const Diagnostic& d) {
    std::string text = format_diagnostic(d);
    if (!opts_.json && (opts_.verbosity >= 0 || d.severity == Severity::error)) std::cerr << text;
    log(text);
  }
  void line(const std::string& text) {
    if (text.empty()) return;
    if (!opts_.json && opts_.verbosity >= 0) std::cout << text;
    log(text);
  }
  void log(const std::string& text) {
    if (!log_ || text.empty()) return;
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
    std::istringstream in(text);
    std::string out;
    for (std::string l; std::getline(in, l);) out += std::string(stamp) + " " + l + "\n";
    ssize_t n = ::write(log_.get(), out.data(), out.size());
    if (n != static_cast<ssize_t>(out.size())) {
      std::cerr << "zsvgen: warning: " << opts_.logfile << ": "
                << (n < 0 ? std::strerror(errno) : "short write") << "; no more is logged there\n";
      log_ = Fd();
    }
  }

 private:
  void open_log(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
      warning_ = fmt::format("LOGFILE cannot be written ({}); the run is not logged there",
                             S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "not a regular file");
      return;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
    if (fd < 0 || ::fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))) {
      warning_ = fmt::format("LOGFILE cannot be written ({}); the run is not logged there",
                             fd < 0 ? std::strerror(errno) : "not a regular file");
      if (fd >= 0) ::close(fd);
      return;
    }
    log_ = Fd(fd);
  }

  const Options& opts_;
  Fd log_;
  std::string warning_;
};

// The largest input file a run reads (--max-input), set once at the start of run().
std::size_t max_input = 16u << 20;

// zsh reports errors in an entry's code as "(eval):N: ..."; point them at svtab.
std::string locate_eval_lines(const std::string& text, const Entry& e) {
  if (text.find("(eval):") == std::string::npos) return text;  // compiling the regex costs more than a run
  static const std::regex eval_line(R"(\(eval\):(\d+):)");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), eval_line);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::size_t n = std::stoul((*it)[1].str());
    int line = n >= 1 && n <= e.code_lines.size() ? e.code_lines[n - 1] : e.loc.line;
    out += text.substr(last, it->position() - last) + fmt::format("{}:{}:", e.loc.file, line);
    last = it->position() + it->length();
  }
  return out + text.substr(last);
}

Diagnostic entry_diag(const Entry& e, Severity sev, const std::string& message,
                      const std::string& detail = "") {
  return make_diagnostic(sev, e.loc, message, e.source_line, detail);
}

// What every entry's resolution reads besides the entry: the library's files, the
// zsvrc, the zsh, the service directory and this program's version.
std::string shared_inputs(const EvalSettings& es) {
  // The library's path too: zsv_hookdir and zsv_zsvwatch are found beside it.
  std::string all = std::string(ZSV_VERSION) + '\0' + es.zsh + '\0' + es.service_dir + '\0' + es.lib_dir + '\0' +
                    library_environment();
  all += read_input(es.zsvrc, max_input).text + '\0';
  Fd lib = open_dir(es.lib_dir);
  for (const std::string& name : list_dir(lib.get()))
    if (entry_type_at(lib.get(), name) == EntryType::regular)
      all += name + '\0' + read_input(es.lib_dir + "/" + name, max_input).text + '\0';
  return digest(all);
}

// Resolutions this run did not redo: the boot cache, and the services taken from it.
struct Reuse {
  BootCache cache;
  std::map<std::string, LiveService> from_cache;  // by name, taken whole from the cache
  std::set<std::string> from_cache_names() const {
    std::set<std::string> n;
    for (const auto& [name, s] : from_cache) n.insert(name);
    return n;
  }
};

struct Compiled {
  std::vector<DesiredService> desired;
  std::set<std::string> keep;  // in svtab, but left as they are this run
  std::vector<std::string> failed;  // entries that failed, in svtab order
};

Compiled compile_entries(const std::vector<Entry>& entries, const std::vector<bool>& selected,
                         const Evaluation& ev, const RenderSettings& rs, const LiveTree& live,
                         const Reuse& reuse, const Options& opts, std::vector<Diagnostic>& diags) {
  Compiled c;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!selected[i]) { c.keep.insert(e.name); continue; }
    const Outcome& o = ev.outcomes[i];
    std::string output = locate_eval_lines(o.output, e);
    if (!o.resolved && !o.reused) {
      diags.push_back(entry_diag(e, Severity::error,
          fmt::format("service '{}' was not resolved, and is left as it was: {}", e.name, o.error), output));
      c.keep.insert(e.name);
      c.failed.push_back(e.name);
      continue;
    }
    std::string error;
    auto cached = reuse.from_cache.find(e.name);
    DesiredService d = cached != reuse.from_cache.end() ? render_cached(e, cached->second, o.condition)
                       : o.reused ? render_reused(e, live.services.at(e.name), o.condition)
                                : render_service(e, *o.resolved, o.condition, rs, error);
    if (!error.empty()) {
      diags.push_back(entry_diag(e, Severity::error, fmt::format("service '{}': {}", e.name, error)));
      c.keep.insert(e.name);
      c.failed.push_back(e.name);
      continue;
    }
    if (o.check_timed_out)
      diags.push_back(entry_diag(e, Severity::warning,
          fmt::format("the condition of '{}' took longer than {} s; it counts as false", e.name,
                      ev.check_timeout.count() / 1000.0)));
    else if (opts.verbosity >= 2 && !output.empty())
      diags.push_back(entry_diag(e, Severity::note, fmt::format("'{}' said:", e.name), output));
    c.desired.push_back(std::move(d));
  }
  return c;
}

std::vector<bool> select_entries(const Svtab& tab, const Options& opts, std::vector<Diagnostic>& diags) {
  std::vector<bool> sel(tab.entries.size(), opts.only.empty());
  for (const std::string& name : opts.only) {
    bool found = false;
    for (std::size_t i = 0; i < tab.entries.size(); ++i)
      if (tab.entries[i].name == name) sel[i] = found = true;
    if (!found)
      diags.push_back(make_diagnostic(Severity::warning, {opts.svtab, 0, 0}, fmt::format("--only {}: no such entry", name)));
  }
  return sel;
}

void print_dry_run(const Plan& plan, const LiveTree& live, Output& out, const Options& opts, Report& report) {
  for (const Action& a : describe_plan(plan)) out.line(action_line(a) + "\n");
  if (opts.verbosity < 1) return;
  for (const ServicePlan& p : plan.services) {
    auto it = live.services.find(p.name);
    for (const File& f : p.writes) {
      std::string old = it == live.services.end() ? "" : it->second.files.count(f.path) ? it->second.files.at(f.path) : "";
      std::string diff = diff_text(p.name + "/" + f.path, old, f.content);
      out.line(diff);
      report.diffs.push_back({p.name, f.path, std::move(diff)});
    }
  }
}

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

// The service directory, opened and locked: runs are serialized, and the plan is made
// from the tree as this run sees it under the lock. A dry run of a first boot has no
// tree yet (empty Fd): it plans against an empty one. --lint opens nothing.
struct Tree {
  Fd dir, lock;
};
Tree open_tree(const Options& opts) {
  Tree t;
  if (opts.lint) return t;
  if (!opts.dry_run) make_dirs(opts.service_dir);
  struct stat st;
  if (!opts.dry_run || ::lstat(opts.service_dir.c_str(), &st) == 0) t.dir = open_dir(opts.service_dir);
  if (opts.dry_run) return t;
  if (std::string no = tree_refusal(t.dir.get(), opts.service_dir, opts.user); !no.empty()) throw SystemError(no, EACCES);
  t.lock = lock_service_dir(t.dir.get(), seconds(opts.lock_timeout));
  return t;
}

// An entry that needs no zsh this run: its resolution reused (from the live tree, or
// whole from the boot cache) and its condition native. Fills O and returns true.
bool evaluate_here(const Entry& e, bool same, LiveTree& live, const RenderSettings& rs, Reuse& reuse, Outcome& o) {
  if (same) {
    if (auto n = live_native(live.services.at(e.name))) {
      o.reused = true;
      o.condition = evaluate_native(*n);
      return true;
    }
    return false;
  }
  auto cached = reuse.cache.find(e.name);
  if (!cached || !reusable(*cached, entry_key(e, rs))) return false;
  auto n = live_native(*cached);
  if (!n) return false;  // its check must run in zsh, which needs it in the tree: resolve it
  o.reused = true;
  o.condition = evaluate_native(*n);
  reuse.from_cache.emplace(e.name, std::move(*cached));
  return true;
}

// The zsv_config/zsvrc settings for a run that may start no zsh: from .zsv-settings in
// the tree or the boot cache (settings_cache.h).
std::optional<CachedSettings> cached_settings(const Tree& tree, Reuse& reuse, const std::string& key) {
  if (tree.dir)
    if (auto s = load_settings(tree.dir.get(), key)) return s;
  Fd c = reuse.cache.open(false);
  auto s = c ? load_settings(c.get(), key) : std::nullopt;
  if (s && tree.lock) store_settings(tree.dir.get(), key, *s);  // a boot: keep them beside the tree again
  return s;
}

// Evaluates the selected entries (LIVE and RS.inputs already read); the outcomes are
// indexed like TAB's entries. Entries
// whose inputs are unchanged keep their resolution (their condition is still
// evaluated): a native condition (zsv/native) here, any other by zsh running the live
// zsv/check. Only what needs zsh goes to the evaluators; with nothing, no zsh starts.
Evaluation evaluate_selected(const Svtab& tab, const std::vector<bool>& selected, const EvalSettings& es,
                             RenderSettings& rs, const Tree& tree, LiveTree& live, Reuse& reuse) {
  std::vector<Outcome> by_entry(tab.entries.size());
  std::vector<Entry> to_eval;
  std::vector<std::size_t> index;
  std::vector<std::string> reuse_check;
  std::optional<std::size_t> first_here;
  for (std::size_t i = 0; i < tab.entries.size(); ++i) {
    if (!selected[i]) continue;
    const Entry& e = tab.entries[i];
    auto it = live.services.find(e.name);
    bool same = it != live.services.end() && reusable(it->second, entry_key(e, rs));
    // A reused service's scripts are compared no more: keep memory flat at 1000 services.
    if (same)
      for (auto& [path, text] : it->second.files)
        if (is_script(path)) std::string().swap(text);
    if (tree.dir && evaluate_here(e, same, live, rs, reuse, by_entry[i])) {
      if (!first_here) first_here = i;
      continue;
    }
    to_eval.push_back(e);
    index.push_back(i);
    reuse_check.push_back(same ? es.service_dir + "/" + e.name + "/zsv/check" : "");
  }
  std::optional<CachedSettings> settings;
  if (to_eval.empty() && first_here) {
    settings = cached_settings(tree, reuse, rs.inputs);
    if (!settings) {  // the settings are not known: ask zsh, through one entry
      std::size_t i = *first_here;
      bool in_tree = !reuse.from_cache.erase(tab.entries[i].name);
      to_eval.push_back(tab.entries[i]);
      index.push_back(i);
      reuse_check.push_back(in_tree ? es.service_dir + "/" + tab.entries[i].name + "/zsv/check" : "");
    }
  }
  Evaluation ev = evaluate_entries(to_eval, [&] { return reuse_check; }, es);
  if (settings) apply_settings(*settings, ev);
  else if (!to_eval.empty() && ev.load_error.empty() && tree.lock) {
    store_settings(tree.dir.get(), rs.inputs, settings_of(ev));
    if (Fd c = reuse.cache.open(true)) store_settings(c.get(), rs.inputs, settings_of(ev));
  }
  for (std::size_t k = 0; k < index.size(); ++k) by_entry[index[k]] = std::move(ev.outcomes[k]);
  ev.outcomes = std::move(by_entry);
  return ev;
}

void report_conflicts(const Plan& plan, const Svtab& tab, const Options& opts, Report& report) {
  for (const std::string& name : plan.conflicts) {
    for (const Entry& e : tab.entries)
      if (e.name == name)
        report.diags.push_back(entry_diag(e, Severity::error,
            fmt::format("{}/{} exists and is not zsv's: left alone", opts.service_dir, name)));
    ++report.failed;
    report.failed_services.push_back(name);
  }
}

// Applies PLAN; a service it failed for is reported, and no action is claimed for it.
bool apply_and_report(const Plan& plan, const Tree& tree, const Options& opts, Report& report) {
  std::vector<ApplyFailure> failures = apply_plan(plan, tree.dir.get(), {opts.service_dir, StopSettings{seconds(opts.stop_grace)}});
  for (const ApplyFailure& f : failures) {
    std::erase_if(report.actions, [&](const Action& a) { return a.service == f.service; });
    report.diags.push_back(make_diagnostic(Severity::error, {opts.service_dir + "/" + f.service, 0, 0},
                                           "not brought in line: " + f.message));
  }
  return failures.empty();
}

// After a run that changed something: zsv/last of each service acted on, then, the
// lock let go (a hook may run zsvgen), the post-apply hooks (SPEC §6).
void after_apply(Tree& tree, const Options& opts, const EvalSettings& es, const Evaluation& ev, Report& report,
                 int status) {
  if (report.actions.empty()) return;
  for (const std::string& p : record_last_actions(tree.dir.get(), report.actions, std::time(nullptr)))
    report.diags.push_back(make_diagnostic(Severity::warning, {opts.service_dir, 0, 0}, "zsv/last not written: " + p));
  tree.lock = Fd();
  // The evaluator (or the settings cache) told them; else one zsh on lib/zsv_settings.
  SiteSettings s;
  if (ev.post_apply_dir && ev.post_apply_timeout) {
    s.post_apply_dir = *ev.post_apply_dir;
    s.post_apply_timeout = *ev.post_apply_timeout;
  } else {
    s = read_site_settings(es.zsh, es.lib_dir, opts.config, opts.service_dir);
  }
  if (!s.error.empty()) {
    report.diags.push_back(make_diagnostic(Severity::warning, {opts.config, 0, 0}, "post-apply hooks not run: " + s.error));
    return;
  }
  report.exit_status = status;
  auto env = hook_environment(names_by_action(report.actions));
  env.insert(env.end(), {{"ZSV_SVTAB", opts.svtab}, {"ZSV_SERVICE_DIR", opts.service_dir},
                         {"ZSV_CONFIG", opts.config}, {"ZSV_LIB", es.lib_dir}});
  for (Diagnostic& d : run_post_apply_hooks(s.post_apply_dir, json_report(report), env, s.post_apply_timeout))
    report.diags.push_back(std::move(d));
}

// Every path the run names, and the zsh, resolved once (SPEC §5): what is rendered
// depends on the files, not on how the caller spelled them or on its PATH.
bool canonicalize(Options& opts, const char* argv0, Report& report) {
  // svtab.d sits beside the svtab as named (/etc/svtab.d even if /etc/svtab is a link).
  opts.svtab_d = canonical_path(opts.svtab_d ? *opts.svtab_d : opts.svtab + ".d");
  opts.svtab = canonical_path(opts.svtab);
  opts.service_dir = canonical_path(opts.service_dir);
  opts.config = canonical_path(opts.config);
  opts.lib = canonical_path(find_lib_dir(opts.lib, argv0));
  std::string error;
  opts.zsh = resolve_zsh(opts.zsh, ZSV_DEFAULT_ZSH, error);
  if (!error.empty()) report.diags.push_back(make_diagnostic(Severity::error, {"zsvgen", 0, 0}, error));
  return error.empty();
}

// The zsvrc, before any zsh sources it: a regular file no larger than --max-input, or
// missing, or /dev/null (none).
bool check_zsvrc(const Options& opts, Report& report) {
  if (opts.config == "/dev/null") return true;
  InputText rc = read_input(opts.config, opts.max_input);
  if (rc.error.empty()) return true;
  report.diags.push_back(make_diagnostic(Severity::error, {opts.config, 0, 0}, rc.error));
  return false;
}

int run(Options opts, const char* argv0) {
  Output out(opts);
  Report report;
  report.dry_run = opts.dry_run;
  if (!out.warning().empty())
    report.diags.push_back(make_diagnostic(Severity::warning, {opts.logfile, 0, 0}, out.warning()));
  auto finish = [&](int status) {
    report.exit_status = status;
    for (const Diagnostic& d : report.diags) out.diag(d);
    if (!opts.lint) {
      for (const Action& a : report.actions) if (!opts.dry_run) out.line(action_line(a) + "\n");
      out.line(summary_line(report, opts.verbosity >= 1));
    }
    if (opts.json) std::cout << json_report(report);
    return status;
  };
  max_input = opts.max_input;
  if (!canonicalize(opts, argv0, report)) return finish(exit_system);
  if (!check_zsvrc(opts, report)) return finish(exit_input);
  Svtab tab = read_sources(opts.svtab, *opts.svtab_d, opts.max_input);
  report.diags.insert(report.diags.end(), tab.diags.begin(), tab.diags.end());
  if (has_errors(tab.diags)) return finish(exit_input);

  Tree tree;
  try {
    tree = open_tree(opts);
  } catch (const SystemError& e) {
    report.diags.push_back(make_diagnostic(Severity::error, {opts.service_dir, 0, 0}, e.what()));
    return finish(exit_system);
  }
  EvalSettings es{opts.zsh, opts.lib, opts.config, opts.service_dir, 0};
  RenderSettings rs{opts.zsh, Flags{}, shared_inputs(es)};
  LiveTree live;
  if (tree.dir) live = read_live_tree(tree.dir.get());
  // Generators (SPEC §4): their instances join the entries, the live instances of one
  // that failed are kept as they are.
  Reuse reuse{BootCache(opts.dry_run || opts.lint ? "" : opts.cache_dir, opts.service_dir), {}};
  Expansion generated = add_instances(tab, es, rs.inputs, tree.dir ? tree.dir.get() : -1, &reuse.cache, live,
                                      bool(tree.lock));
  report.diags.insert(report.diags.end(), generated.diags.begin(), generated.diags.end());
  report.services = tab.entries.size();
  std::vector<bool> selected = select_entries(tab, opts, report.diags);
  Evaluation ev = evaluate_selected(tab, selected, es, rs, tree, live, reuse);
  if (!ev.load_error.empty()) {
    report.diags.push_back(make_diagnostic(Severity::error, ev.load_loc, ev.load_error, "", ev.load_detail));
    return finish(exit_input);
  }
  Compiled c = compile_entries(tab.entries, selected, ev, rs, live, reuse, opts, report.diags);
  c.keep.insert(generated.keep.begin(), generated.keep.end());
  c.failed.insert(c.failed.end(), generated.failed.begin(), generated.failed.end());
  report.failed = c.failed.size();
  report.failed_services = c.failed;
  if (opts.lint) return finish(c.failed.empty() ? exit_ok : exit_partial);

  Plan plan = plan_changes(c.desired, c.keep, live);
  report_conflicts(plan, tab, opts, report);
  report.actions = describe_plan(plan);
  if (opts.dry_run) {
    print_dry_run(plan, live, out, opts, report);
    return finish(report.failed > 0 ? exit_partial : exit_ok);
  }
  bool applied = apply_and_report(plan, tree, opts, report);
  reuse.cache.update(c.desired, c.keep, reuse.from_cache_names(), tree.dir.get(), opts.only.empty());
  int status = !applied ? exit_system : report.failed > 0 ? exit_partial : exit_ok;
  after_apply(tree, opts, es, ev, report, status);
  return finish(status);
}

}  // namespace
}  // namespace zsv

int main(int argc, char** argv) {
  // A zsh that dies while zsvgen writes to it is told by its exit, not by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  zsv::install_termination_handlers();
  zsv::ensure_path();  // env -i: the evaluators and checks still find their tools
  int status = 0;
  auto opts = zsv::parse_command_line(argc, argv, status);
  if (!opts) return status;
  zsv::export_library_settings(*opts);
  try {
    if (opts->status) return zsv::status_command(*opts, argv[0]);
    if (!opts->why.empty()) return zsv::why_command(*opts, argv[0]);
    return zsv::run(*opts, argv[0]);
  } catch (const std::exception& e) {
    std::cerr << "zsvgen: " << e.what() << "\n";
    return zsv::exit_system;
  }
}
