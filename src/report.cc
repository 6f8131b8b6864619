// report: action lines, the summary, the JSON report and the dry-run diffs.
#include "report.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace zsv {

namespace {

std::string joined_paths(const ServicePlan& p) {
  std::string s;
  for (const File& f : p.writes) s += (s.empty() ? "" : ", ") + f.path;
  for (const std::string& d : p.deletes) s += (s.empty() ? "-" : ", -") + d;
  return s;
}

void describe_service(const ServicePlan& p, std::vector<Action>& out) {
  switch (p.op) {
    case Op::create:
      out.push_back({p.name, "create", p.set_want == Want::up ? "" : want_word(*p.set_want)});
      return;
    case Op::remove: out.push_back({p.name, "remove", ""}); return;
    case Op::keep: return;
    case Op::update: break;
  }
  std::string files = joined_paths(p);
  if (p.restart_runsv)
    out.push_back({p.name, "restart", "runsv, for its log/"});
  else if (p.restart_service || p.restart_log)
    out.push_back({p.name, "restart", files});
  else if (!files.empty())
    out.push_back({p.name, "update", files});
  if (p.set_want) {
    switch (*p.set_want) {
      case Want::up: out.push_back({p.name, "up", "condition true"}); break;
      case Want::down: out.push_back({p.name, "down", "condition false"}); break;
      case Want::manual: out.push_back({p.name, "manual", "M: left to the administrator"}); break;
    }
  }
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::vector<Action> describe_plan(const Plan& plan) {
  std::vector<Action> out;
  for (const std::string& l : plan.leftovers) out.push_back({l, "cleanup", "left by an interrupted run"});
  for (const ServicePlan& p : plan.services) describe_service(p, out);
  return out;
}

std::string action_line(const Action& a) {
  std::string detail = a.detail.empty() ? "" : " (" + a.detail + ")";
  if (a.kind == "create") return "+ " + a.service + detail;
  if (a.kind == "remove") return "- " + a.service;
  if (a.kind == "update") return "~ " + a.service + " updated" + detail;
  if (a.kind == "restart") return "~ " + a.service + " restarted" + detail;
  if (a.kind == "up") return "\u2191 " + a.service + detail;
  if (a.kind == "down") return "\u2193 " + a.service + detail;
  if (a.kind == "manual") return "= " + a.service + detail;
  return "* " + a.service + " " + a.kind + detail;
}

std::string summary_line(const Report& r, bool verbose) {
  if (r.actions.empty() && r.failed == 0 && !verbose) return "";
  std::size_t n[7] = {};
  const char* kinds[7] = {"create", "update", "restart", "remove", "up", "down", "cleanup"};
  for (const Action& a : r.actions)
    for (int k = 0; k < 7; ++k)
      if (a.kind == kinds[k]) ++n[k];
  return fmt::format("zsvgen: {}{} services: {} new, {} changed, {} restarted, {} removed, {} up, {} down, {} failed\n",
                     r.dry_run ? "(dry run) " : "", r.services, n[0], n[1], n[2], n[3], n[4], n[5], r.failed);
}

ActionNames names_by_action(const std::vector<Action>& actions) {
  ActionNames n;
  for (const Action& a : actions) {
    if (a.kind == "create") {
      n.created.push_back(a.service);
      if (a.detail.empty()) n.started.push_back(a.service);  // describe_service: "" is created up
    } else if (a.kind == "update") {
      n.changed.push_back(a.service);
    } else if (a.kind == "restart") {
      n.changed.push_back(a.service);
      n.restarted.push_back(a.service);
    } else if (a.kind == "remove") {
      n.removed.push_back(a.service);
    } else if (a.kind == "up") {
      n.started.push_back(a.service);
    } else if (a.kind == "down") {
      n.stopped.push_back(a.service);
    }
  }
  for (auto* v : {&n.created, &n.changed, &n.restarted, &n.removed, &n.started, &n.stopped}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return n;
}

// The format is a stable interface (README "--json", zsvgen(8)): fields are added, never
// renamed or given a new meaning, without raising json_report_version.
std::string json_report(const Report& r) {
  nlohmann::ordered_json j;
  j["version"] = json_report_version;
  j["dry_run"] = r.dry_run;
  j["exit_status"] = r.exit_status;
  j["services"] = r.services;
  j["failed"] = r.failed;
  j["failed_services"] = r.failed_services;
  j["actions"] = nlohmann::ordered_json::array();
  for (const Action& a : r.actions)
    j["actions"].push_back({{"service", a.service}, {"action", a.kind}, {"detail", a.detail}});
  ActionNames n = names_by_action(r.actions);
  j["created"] = n.created;
  j["changed"] = n.changed;
  j["restarted"] = n.restarted;
  j["removed"] = n.removed;
  j["started"] = n.started;
  j["stopped"] = n.stopped;
  j["diagnostics"] = nlohmann::ordered_json::array();
  for (const Diagnostic& d : r.diags) {
    const char* sev = d.severity == Severity::error ? "error" : d.severity == Severity::warning ? "warning" : "note";
    j["diagnostics"].push_back({{"severity", sev}, {"file", d.loc.file}, {"line", d.loc.line},
                                {"col", d.loc.col}, {"message", d.message}, {"text", format_diagnostic(d)}});
  }
  j["diffs"] = nlohmann::ordered_json::array();
  for (const FileDiff& f : r.diffs)
    j["diffs"].push_back({{"service", f.service}, {"path", f.path}, {"diff", f.diff}});
  // Entry code and file names may hold any byte: one that is not UTF-8 becomes U+FFFD
  // rather than making the report fail.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string diff_text(const std::string& path, const std::string& old_text, const std::string& new_text) {
  auto a = lines_of(old_text), b = lines_of(new_text);
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  std::string out = fmt::format("--- {}\n+++ {}\n@@ line {} @@\n", path, path, head + 1);
  for (std::size_t i = head; i < a.size() - tail; ++i) out += "-" + a[i] + "\n";
  for (std::size_t i = head; i < b.size() - tail; ++i) out += "+" + b[i] + "\n";
  return out;
}

}  // namespace zsv
