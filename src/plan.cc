// plan: per-service diff of files, log presence and condition edge.
#include "plan.h"

#include <algorithm>
#include <map>

namespace zsv {

namespace {

void plan_edge(Want want, const std::optional<Want>& was, bool has_down, ServicePlan& p) {
  if (was == want) return;  // act on changes only: a hand-stopped service stays stopped
  p.set_want = want;
  switch (want) {
    case Want::up:
      p.remove_down = has_down;
      p.command = 'u';
      break;
    case Want::down:
      p.write_down = !has_down;
      p.command = 'd';
      break;
    case Want::manual:  // created down, never started or stopped by zsv
      p.write_down = !has_down;
      break;
  }
}

ServicePlan plan_create(const DesiredService& d) {
  ServicePlan p;
  p.name = d.name;
  p.op = Op::create;
  p.writes = d.files;
  p.set_want = d.want;
  p.write_down = d.want != Want::up;
  return p;
}

ServicePlan plan_update(const DesiredService& d, const LiveService& l) {
  ServicePlan p;
  p.name = d.name;
  p.op = Op::update;
  std::map<std::string, const File*> wanted;
  for (const File& f : d.files) {
    wanted.emplace(f.path, &f);
    auto it = l.files.find(f.path);
    if (it != l.files.end() && it->second == f.content) continue;
    p.writes.push_back(f);
    bool existed = it != l.files.end();
    if (f.path == "run" && existed) p.restart_service = true;
    if (f.path == "log/run" && existed && l.has_log_dir) p.restart_log = true;
  }
  // A reused service's FILES are its provenance only: of the rest, nothing is unwanted.
  for (const auto& [path, text] : l.files)
    if (!wanted.count(path) && (!d.reused || is_provenance_path(path))) p.deletes.push_back(path);
  p.deletes.insert(p.deletes.end(), l.temp_files.begin(), l.temp_files.end());
  // Restarts a killed run decided and did not send: its files are in place already.
  if (l.pending.find('t') != std::string::npos) p.restart_service = true;
  if (l.pending.find('l') != std::string::npos && l.has_log_dir && d.has_log) p.restart_log = true;
  if (d.has_log != l.has_log_dir || l.pending.find('x') != std::string::npos) {
    p.restart_runsv = true;
    p.restart_log = false;
    p.remove_log_dir = !d.has_log && l.has_log_dir;
  }
  p.clear_pending = !l.pending.empty();
  plan_edge(d.want, l.want, l.has_down, p);
  if (!p.changes_anything()) p.op = Op::keep;
  return p;
}

ServicePlan plan_remove(const LiveService& l) {
  ServicePlan p;
  p.name = l.name;
  p.op = Op::remove;
  return p;
}

}  // namespace

std::string ServicePlan::pending() const {
  std::string letters;
  if (restart_service && command == 0) letters += 't';
  if (restart_log) letters += 'l';
  if (restart_runsv) letters += 'x';
  return letters;
}

bool ServicePlan::changes_anything() const {
  return op == Op::create || op == Op::remove || !writes.empty() || !deletes.empty() ||
         remove_log_dir || restart_service || restart_log || restart_runsv || set_want ||
         write_down || remove_down || command != 0 || clear_pending;
}

Plan plan_changes(const std::vector<DesiredService>& desired, const std::set<std::string>& keep,
                  const LiveTree& live) {
  Plan plan;
  plan.leftovers = live.leftovers;
  std::set<std::string> wanted;
  for (const DesiredService& d : desired) {
    wanted.insert(d.name);
    auto it = live.services.find(d.name);
    if (it == live.services.end()) {
      plan.services.push_back(plan_create(d));
    } else if (!it->second.ours) {
      plan.conflicts.push_back(d.name);
    } else {
      ServicePlan p = plan_update(d, it->second);
      if (p.op != Op::keep) plan.services.push_back(std::move(p));
    }
  }
  for (const auto& [name, l] : live.services)
    if (l.ours && !wanted.count(name) && !keep.count(name)) plan.services.push_back(plan_remove(l));
  std::sort(plan.services.begin(), plan.services.end(),
            [](const ServicePlan& a, const ServicePlan& b) { return a.name < b.name; });
  return plan;
}

}  // namespace zsv
