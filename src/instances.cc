// instances: the generators' lists, natively or from lib/zsv_generate, and the svtab
// expanded with them.
#include "instances.h"

#include <chrono>
#include <random>

#include <fmt/format.h>

#include "fsutil.h"
#include "instances_native.h"
#include "settings_cache.h"
#include "subproc.h"

namespace zsv {

namespace {

const char* const native_file = ".zsv-generators";

std::string prefix_of(const Entry& g) { return g.name.substr(0, g.name.size() - 2); }

std::string make_nonce() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

// .zsv-generators for KEY: prefix -> $zsv_sysfs of each generator zsvgen lists itself.
std::map<std::string, std::string> load_native(int treefd, const std::string& key) {
  std::map<std::string, std::string> out;
  if (treefd < 0) return out;
  try {
    auto text = read_file_at(treefd, native_file);
    if (!text || text->compare(0, 4 + key.size() + 1, "key " + key + "\n") != 0) return out;
    std::size_t pos = 4 + key.size() + 1;
    while (pos < text->size()) {
      auto nl = text->find('\n', pos);
      if (nl == std::string::npos) return {};
      std::string line = text->substr(pos, nl - pos);
      pos = nl + 1;
      auto sp = line.find(' ', 7);
      if (line.compare(0, 7, "native ") != 0 || sp == std::string::npos) return {};
      out[line.substr(7, sp - 7)] = line.substr(sp + 1);
    }
  } catch (const std::exception&) {
    return {};
  }
  return out;
}

void store_native(int treefd, const std::string& key, const std::map<std::string, std::string>& native) {
  std::string text = "key " + key + "\n";
  for (const auto& [prefix, sysfs] : native)
    if (sysfs.find('\n') == std::string::npos) text += "native " + prefix + " " + sysfs + "\n";
  try {
    if (read_file_at(treefd, native_file) != text) write_file_atomic(treefd, native_file, text, 0644);
  } catch (const std::exception&) {  // a cache: a failure only means zsh is asked again
  }
}

// The bound of a generator's zsh: its own bound is the check timeout, enforced by
// lib/zsv_generate; this one only catches a zsh that does not end itself.
std::chrono::milliseconds backstop(int treefd, const std::string& key) {
  double check = 5;
  if (treefd >= 0)
    if (auto s = load_settings(treefd, key)) {
      try { check = std::stod(site_setting(*s, "zsv_check_timeout", "5")); } catch (const std::exception&) {}
    }
  return std::chrono::milliseconds(static_cast<long long>((check + 30) * 1000));
}

}  // namespace

GenerateResult parse_generate_output(const std::string& output, const std::string& nonce, const std::string& fn) {
  GenerateResult r;
  std::string marker = std::string("\0I", 2) + nonce + '\0';
  auto at = output.find(marker);
  if (at == std::string::npos) {
    r.list.error = fmt::format("{} gave no result (lib/zsv_generate ended early)", fn);
    r.list.detail = output;
    return r;
  }
  r.list.detail = output.substr(0, at);
  std::vector<std::string> f;
  std::size_t pos = at + marker.size();
  for (int i = 0; i < 5; ++i) {
    auto end = output.find('\0', pos);
    if (end == std::string::npos) {
      r.list.error = fmt::format("{} gave a broken result", fn);
      return r;
    }
    f.push_back(output.substr(pos, end - pos));
    pos = end + 1;
  }
  bool digits = !f[4].empty() && f[4].size() < 10 && f[4].find_first_not_of("0123456789") == std::string::npos;
  std::size_t len = digits ? std::stoul(f[4]) : 0;
  if (!digits || output.size() - pos < len) {
    r.list.error = fmt::format("{} gave a broken result", fn);
    return r;
  }
  r.own = f[2] == "1";
  r.sysfs = f[3];
  const std::string& st = f[0];
  if (st == "0") {
    r.list.ok = true;
    r.list.output = output.substr(pos, len);
  } else if (st == "timeout") {
    r.list.error = fmt::format("{} took longer than {} s (zsv_check_timeout)", fn, f[1]);
  } else if (st == "missing") {
    r.list.error = fmt::format("there is no function {} (in the library or the zsvrc)", fn);
  } else if (st == "toolong") {
    r.list.error = fmt::format("{} printed more than 64 KiB", fn);
  } else if (st == "load") {
    r.list.error = "the library or the zsvrc failed to load";
  } else {
    r.list.error = fmt::format("{} failed with status {}", fn, st);
  }
  return r;
}

Expansion add_instances(Svtab& tab, const EvalSettings& es, const std::string& inputs, int treefd,
                        BootCache* cache, const LiveTree& live, bool store) {
  if (tab.generators.empty()) return {};
  std::map<std::string, std::string> in_tree = load_native(treefd, inputs), native = in_tree, found;
  if (native.empty() && cache)  // a boot: the tree is new
    if (Fd c = cache->open(false)) native = load_native(c.get(), inputs);
  std::map<std::string, InstanceList> lists;
  std::vector<const Entry*> by_zsh;
  std::vector<Job> jobs;
  std::vector<std::string> nonces;
  for (const Entry& g : tab.generators) {
    std::string prefix = prefix_of(g);
    if (auto it = native.find(prefix); it != native.end())
      if (auto out = native_instances(prefix, it->second)) {
        lists[g.name] = InstanceList{true, *out, "", ""};
        found.insert(*it);
        continue;
      }
    nonces.push_back(make_nonce());
    by_zsh.push_back(&g);
    jobs.push_back(Job{es.zsh, {"-f", es.lib_dir + "/zsv_generate", es.lib_dir, es.zsvrc, es.service_dir, prefix},
                       "", nonces.back() + "\n", {}});
  }
  if (!jobs.empty()) {
    auto bound = backstop(treefd, inputs);
    std::vector<JobResult> results = run_jobs(jobs, bound, jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const Entry& g = *by_zsh[i];
      std::string fn = instances_function(g);
      const JobResult& jr = results[i];
      GenerateResult r = parse_generate_output(jr.output, nonces[i], fn);
      if (!jr.started) r.list.error = fmt::format("{} was not run: {}", fn, jr.error);
      else if (jr.timed_out && !r.list.ok && r.list.error.find("took longer") == std::string::npos)
        r.list.error = fmt::format("{} took longer than {} s", fn, bound.count() / 1000.0);
      if (r.own && r.list.ok && native_instances(prefix_of(g), r.sysfs)) found[prefix_of(g)] = r.sysfs;
      lists[g.name] = std::move(r.list);
    }
  }
  // Written only when the tree's copy is not what this run found (a run that listed
  // every generator natively writes nothing).
  if (store && treefd >= 0 && (found != in_tree || found.empty())) {
    store_native(treefd, inputs, found);
    if (cache)
      if (Fd c = cache->open(true)) store_native(c.get(), inputs, found);
  }

  std::map<std::string, std::string> origin;
  for (const auto& [name, s] : live.services)
    if (auto it = s.files.find("zsv/generator"); it != s.files.end())
      origin[name] = it->second.substr(0, it->second.find('\n'));
  Expansion x = expand_generators(tab.generators, tab.entries, lists, origin);
  tab.entries.insert(tab.entries.end(), x.instances.begin(), x.instances.end());
  return x;
}

}  // namespace zsv
