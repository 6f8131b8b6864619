// why: parsing lib/zsv_why's output and telling one service's story.
#include "why.h"

#include <cctype>
#include <ctime>
#include <sstream>

#include <fmt/format.h>

#include "status.h"

namespace zsv {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto end = s.find(sep, pos);
    out.push_back(s.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) return out;
    pos = end + 1;
  }
}

std::string value(const WhyFacts& f, const std::string& key) {
  auto it = f.values.find(key);
  return it == f.values.end() ? "" : it->second;
}

std::string entry_loc(const Entry& e) { return fmt::format("{}:{}", e.loc.file, e.loc.line); }

std::string from_words(const std::string& from, const Entry& e) {
  if (from == "code") return fmt::format("set by the entry's code ({})", entry_loc(e));
  if (from == "check") return fmt::format("the entry defines check() ({})", entry_loc(e));
  if (from == "defaults") return fmt::format("set by zsv_defaults_{}", e.prefix());
  if (from == "library") return "the library's default";
  if (from.rfind("zsv_run_", 0) == 0) return fmt::format("{} exists: the default run function of prefix '{}'", from, e.prefix());
  return from;
}

std::string row(const std::string& label, const std::string& text) {
  return fmt::format("  {:<11} {}\n", label, text);
}

std::string when_text(const std::string& last, long long now) {
  std::string out;
  std::istringstream in(last);
  for (std::string l; std::getline(in, l);) {
    auto sp = l.find(' ');
    long long t = 0;
    try { t = std::stoll(l.substr(0, sp)); } catch (const std::exception&) { continue; }
    std::time_t tt = static_cast<std::time_t>(t);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&tt));
    out += (out.empty() ? "" : "; ") + fmt::format("{} at {} ({} ago)", sp == std::string::npos ? "" : l.substr(sp + 1),
                                                   stamp, duration_text(now - t));
  }
  return out;
}

const FunctionSource* find_function(const WhyFacts& f, const std::string& name) {
  for (const FunctionSource& s : f.functions)
    if (s.name == name) return &s;
  return nullptr;
}

std::string script_rows(const WhyInput& in, const std::string& path, const std::string& command) {
  std::string out;
  std::vector<std::string> fns;
  std::vector<std::string> vars;
  if (auto it = in.scripts.find(path); it != in.scripts.end()) {
    fns = script_functions(it->second);
    vars = script_variables(it->second);
  } else if (!command.empty()) {
    fns.push_back(split(command, ' ').front());
  }
  std::string label = path;
  for (const std::string& fn : fns) {
    const FunctionSource* s = find_function(in.facts, fn);
    out += row(label, fmt::format("{:<24} {}", fn, s ? source_of(*s, *in.entry) : "(not defined now)"));
    label.clear();
  }
  for (const std::string& v : vars) {
    out += row(label, v.size() > 100 ? v.substr(0, 97) + "..." : v);
    label.clear();
  }
  return out;
}

}  // namespace

WhyFacts parse_why_output(const std::string& output) {
  WhyFacts f;
  std::vector<std::string> fields = split(output, '\0');
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& k = fields[i];
    const std::string& v = fields[i + 1];
    if (k == "fn") {
      auto parts = split(v, '\x1f');
      if (parts.size() != 3) continue;
      int line = 0;
      try { line = std::stoi(parts[2]); } catch (const std::exception&) {}
      f.functions.push_back({parts[0], parts[1], line});
    } else if (k == "error") {
      f.error = v;
    } else {
      f.values[k] = v;
    }
  }
  return f;
}

std::vector<std::string> script_functions(const std::string& script) {
  std::vector<std::string> out;
  std::istringstream in(script);
  for (std::string l; std::getline(in, l);)
    if (l.size() > 5 && l.compare(l.size() - 5, 5, " () {") == 0 && l.find(' ') == l.size() - 5)
      out.push_back(l.substr(0, l.size() - 5));
  return out;
}

std::vector<std::string> script_variables(const std::string& script) {
  std::vector<std::string> out;
  std::istringstream in(script);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("typeset -g", 0) == 0) out.push_back(l);
  return out;
}

std::string source_of(const FunctionSource& f, const Entry& e) {
  if (f.file == "(entry)") {
    int line = f.line >= 1 && static_cast<std::size_t>(f.line) <= e.code_lines.size() ? e.code_lines[f.line - 1] : e.loc.line;
    return fmt::format("{}:{} (the entry's code)", e.loc.file, line);
  }
  if (f.line <= 0) return f.file.empty() ? "(where: unknown)" : f.file;
  return fmt::format("{}:{}", f.file, f.line);
}

std::vector<FlagOrigin> flag_origins(const WhyFacts& facts, const Entry& e, const std::string& zsvrc) {
  const std::vector<std::pair<std::string, std::string>> layers{
      {"zsv_config", value(facts, "flags.config")},
      {"zsvrc (" + zsvrc + ")", value(facts, "flags.zsvrc")},
      {"zsv_defaults_" + e.prefix(), value(facts, "flags.defaults")},
      {"the entry's code (" + entry_loc(e) + ")", value(facts, "flags.code")}};
  std::string setter, before;
  for (const auto& [who, v] : layers) {
    if (v != before) setter = who;
    before = v;
  }
  const std::string& defaults = layers.back().second;
  Flags final_flags = apply_flags(apply_flags(Flags{}, defaults), e.flags);
  std::string letters = flags_string(final_flags);
  std::vector<FlagOrigin> out;
  for (char c : letters) {
    char up = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto mentions = [&](const std::string& s) {
      return s.find(up) != std::string::npos || s.find(static_cast<char>(std::tolower(up))) != std::string::npos;
    };
    FlagOrigin o{up, std::isupper(static_cast<unsigned char>(c)) != 0, ""};
    if (mentions(e.flags)) o.origin = fmt::format("the entry's flags '{}' ({})", e.flags, entry_loc(e));
    else if (mentions(defaults)) o.origin = fmt::format("{}: zsv_flags={}", setter, defaults);
    else o.origin = "nothing sets it: off";
    out.push_back(o);
  }
  return out;
}

std::string why_story(const WhyInput& in) {
  const Entry& e = *in.entry;
  std::string out = e.name + "\n";
  out += row("entry", fmt::format("{}: {}", entry_loc(e), e.source_line));
  if (!e.generator.empty())
    out += row("generator", fmt::format("instance of {} ({}), while zsv_instances_{} lists {}", e.generator, entry_loc(e),
                                        e.prefix(), e.instance()));
  if (!in.facts.error.empty()) out += row("resolving", "failed: " + in.facts.error);
  std::vector<FlagOrigin> flags = flag_origins(in.facts, e, in.zsvrc);
  std::string letters;
  for (const FlagOrigin& f : flags) letters += f.on ? f.letter : static_cast<char>(std::tolower(f.letter));
  out += row("flags", letters);
  for (const FlagOrigin& f : flags) out += row(fmt::format("  {} {}", f.letter, f.on ? "on" : "off"), f.origin);
  for (const char* v : {"runf", "logf", "checkf"})
    if (in.facts.values.count(v))
      out += row(v, fmt::format("{:<24} {}", value(in.facts, v), from_words(value(in.facts, std::string(v) + ".from"), e)));
  out += script_rows(in, "run", value(in.facts, "runf"));
  out += script_rows(in, "log/run", value(in.facts, "logf"));
  out += script_rows(in, "zsv/check", value(in.facts, "checkf"));
  if (!in.in_tree) {
    out += row("tree", "not in the tree yet: the next run creates it");
  } else if (!in.ours) {
    out += row("tree", "the directory is not zsv's (no zsv/): zsv leaves it alone");
  } else {
    std::string printed = in.check_output.empty() ? "it printed nothing" : "it printed:";
    out += row("condition", fmt::format("{} (zsv/check, exit {}); {}", in.condition, in.check_status, printed));
    std::istringstream said(in.check_output);
    for (std::string l; std::getline(said, l);) out += row("", "| " + l);
    out += row("want", (in.want.empty() ? "unknown" : in.want) + " (zsv/want)");
    out += row("last", in.last.empty() ? "nothing recorded (zsv/last)" : when_text(in.last, in.now));
  }
  return out;
}

std::string last_text(long long when, const std::vector<std::pair<std::string, std::string>>& actions) {
  std::string out;
  for (const auto& [kind, detail] : actions)
    out += fmt::format("{} {}{}\n", when, kind, detail.empty() ? "" : " (" + detail + ")");
  return out;
}

}  // namespace zsv
