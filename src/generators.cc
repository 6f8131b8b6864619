// generators: a generator's output read as instance names, and the instances' entries.
#include "generators.h"

#include <algorithm>

#include <fmt/format.h>

namespace zsv {

namespace {

// LINE as a diagnostic can quote it: control and non-ASCII bytes as \xHH, and at most
// 80 bytes of it (then "...").
std::string quoted(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size() && i < 80; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  if (line.size() > 80) out += "...";
  return "'" + out + "'";
}

// The lines of OUTPUT, the empty ones left out and each line once, in byte order.
std::vector<std::string> instance_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < output.size()) {
    auto nl = output.find('\n', pos);
    if (nl == std::string::npos) nl = output.size();
    if (nl > pos) lines.push_back(output.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

Diagnostic at_generator(const Entry& g, const std::string& message, const std::string& detail = "") {
  // The caret points at the '*': what the instances replace.
  Location loc = g.loc;
  loc.col = static_cast<int>(g.name.size());
  return make_diagnostic(Severity::error, loc, message, g.source_line, detail);
}

}  // namespace

std::string instances_function(const Entry& g) { return "zsv_instances_" + g.name.substr(0, g.name.size() - 2); }

Expansion expand_generators(const std::vector<Entry>& generators, const std::vector<Entry>& explicit_entries,
                            const std::map<std::string, InstanceList>& lists,
                            const std::map<std::string, std::string>& live_origin) {
  std::set<std::string> taken;
  for (const Entry& e : explicit_entries) taken.insert(e.name);
  Expansion x;
  for (const Entry& g : generators) {
    auto it = lists.find(g.name);
    if (it == lists.end() || !it->second.ok) {
      std::vector<std::string> kept;
      for (const auto& [name, origin] : live_origin)
        if (origin == g.name && !taken.count(name)) kept.push_back(name);
      x.keep.insert(kept.begin(), kept.end());
      std::string why = it == lists.end() ? instances_function(g) + " was not run" : it->second.error;
      x.diags.push_back(at_generator(g,
          fmt::format("generator '{}': {}; {}", g.name, why,
                      kept.empty() ? "it has no instances to keep"
                                   : fmt::format("its instances are left as they are ({})", fmt::join(kept, ", "))),
          it == lists.end() ? "" : it->second.detail));
      x.failed.push_back(g.name);
      continue;
    }
    std::string prefix = g.name.substr(0, g.name.size() - 1);  // "dhcpcd."
    for (const std::string& line : instance_lines(it->second.output)) {
      std::string name = prefix + line;
      NameProblem p = check_service_name(name);
      if (!p.message.empty()) {
        x.diags.push_back(at_generator(g, fmt::format("{} printed {}: instance {}: {}", instances_function(g),
                                                      quoted(line), quoted(name), p.message)));
        x.failed.push_back(g.name + " " + quoted(line));
        continue;
      }
      if (taken.count(name)) continue;  // an explicit entry wins
      Entry e = g;
      e.name = std::move(name);
      e.generator = g.name;
      x.instances.push_back(std::move(e));
    }
  }
  return x;
}

}  // namespace zsv
