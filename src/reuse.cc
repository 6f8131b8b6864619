// reuse: reading zsv/inputs back, and rebuilding the desired service from the live one.
#include "reuse.h"

#include <algorithm>

#include <fmt/format.h>

namespace zsv {

namespace {

// The value of "WORD value" in zsv/inputs, or empty.
std::string field(const std::string& text, const std::string& word) {
  std::string prefix = word + " ";
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (text.compare(pos, prefix.size(), prefix) == 0) return text.substr(pos + prefix.size(), nl - pos - prefix.size());
    pos = nl + 1;
  }
  return "";
}

Flags parse_flags(const std::string& letters) { return apply_flags(Flags{}, letters); }

std::vector<File> live_files(const LiveService& live) {
  std::vector<File> files;
  for (const auto& [path, content] : live.files)
    files.push_back({path, content, is_script(path)});
  return files;
}

}  // namespace

bool reusable(const LiveService& live, const std::string& key) {
  if (!live.ours) return false;
  auto it = live.files.find("zsv/inputs");
  if (it == live.files.end() || field(it->second, "key") != key) return false;
  if (!live.files.count("run") || !live.files.count("zsv/check")) return false;
  Flags flags = parse_flags(field(it->second, "flags"));
  if (live.files.count("log/run") == flags.null_output) return false;
  return inputs_text(key, flags, live_files(live)) == it->second;
}

std::optional<NativeCheck> live_native(const LiveService& live) {
  auto it = live.files.find("zsv/native");
  if (it == live.files.end()) return std::nullopt;
  return parse_native(it->second);
}

DesiredService render_cached(const Entry& e, const LiveService& cached, bool condition) {
  DesiredService d = render_reused(e, cached, condition);
  d.reused = false;
  for (File& f : live_files(cached))
    if (!is_provenance_path(f.path)) d.files.push_back(std::move(f));
  std::sort(d.files.begin(), d.files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  return d;
}

DesiredService render_reused(const Entry& e, const LiveService& live, bool condition) {
  Flags flags = parse_flags(field(live.files.at("zsv/inputs"), "flags"));
  DesiredService d;
  d.name = e.name;
  d.reused = true;
  d.has_log = !flags.null_output;
  d.want = flags.manual ? Want::manual : condition ? Want::up : Want::down;
  d.files = provenance_files(e);
  return d;
}

}  // namespace zsv
