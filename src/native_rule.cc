// native_rule: the table of native checks, the decision, and the zsv/native text.
#include "native_rule.h"

#include <algorithm>
#include <array>

namespace zsv {

namespace {

struct CheckSpec {
  const char* name;
  std::size_t min_args, max_args;
  std::vector<std::string> reaches;  // every function its script carries, itself included
};

// lib/zsv_checks, one row per check of SPEC §8.
const std::vector<CheckSpec>& check_table() {
  static const std::vector<CheckSpec> table{
      {"zsv_check_true", 0, 0, {"zsv_check_true"}},
      {"zsv_check_false", 0, 0, {"zsv_check_false"}},
      {"zsv_check_file", 1, 1, {"zsv_check_file"}},
      {"zsv_check_up", 1, 1, {"zsv_check_up"}},
      {"zsv_check_carrier", 1, 1, {"zsv_check_carrier"}},
      {"zsv_check_wifi", 1, 1, {"zsv_check_wifi"}},
      {"zsv_check_link", 1, 1, {"zsv_check_carrier", "zsv_check_link", "zsv_check_wifi"}},
      {"zsv_check_addr", 1, 1, {"zsv_check_addr"}},
      {"zsv_check_route", 0, 1, {"zsv_check_route", "zsv_check_route_p2p"}},
      {"zsv_check_rfkill", 0, 1, {"zsv_check_rfkill"}},
      {"zsv_check_service", 1, 1, {"zsv_check_service"}},
  };
  return table;
}

const CheckSpec* find_spec(const std::string& name) {
  for (const CheckSpec& s : check_table())
    if (name == s.name) return &s;
  return nullptr;
}

bool literal_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("_./@:+,%=-").find(c) != std::string_view::npos;
}

bool literal_word(const std::string& w) {
  return !w.empty() && w.front() != '=' && w.front() != '~' && std::all_of(w.begin(), w.end(), literal_char);
}

bool valid_call(const std::vector<std::string>& words) {
  if (words.empty()) return false;
  const CheckSpec* s = find_spec(words.front());
  std::size_t n = words.size() - 1;
  return s != nullptr && n >= s->min_args && n <= s->max_args &&
         std::all_of(words.begin(), words.end(), literal_word);
}

// The value of a plain scalar declaration "typeset -g NAME='VALUE'", as zsv_eval writes it.
std::optional<std::string> plain_value(const std::string& name, const std::string& decl) {
  std::string head = "typeset -g " + name + "='";
  if (decl.size() < head.size() + 1 || decl.compare(0, head.size(), head) != 0 || decl.back() != '\'') return std::nullopt;
  std::string v = decl.substr(head.size(), decl.size() - head.size() - 1);
  if (v.find_first_of("'\n") != std::string::npos) return std::nullopt;
  return v;
}

const std::string* find_decl(const std::string& name, const ShellDefs& base, const ShellDefs& entry) {
  if (auto it = entry.variables.find(name); it != entry.variables.end()) return &it->second;
  if (auto it = base.variables.find(name); it != base.variables.end()) return &it->second;
  return nullptr;
}

constexpr std::array<const char*, 3> root_names{"zsv_sysfs", "zsv_procfs", "zsv_service_dir"};

std::string* root_field(NativeCheck& n, std::size_t i) {
  std::array<std::string*, 3> fields{&n.sysfs, &n.procfs, &n.service_dir};
  return fields[i];
}

// The lines of TEXT, each split at its first space.
std::vector<std::pair<std::string, std::string>> fields_of(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) return {};  // every line ends in a newline
    std::string line = text.substr(pos, nl - pos);
    auto sp = line.find(' ');
    if (sp == std::string::npos) out.emplace_back(line, "");
    else out.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> literal_words(const std::string& command) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < command.size()) {
    while (i < command.size() && (command[i] == ' ' || command[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < command.size() && command[i] != ' ' && command[i] != '\t') ++i;
    if (i > start) words.push_back(command.substr(start, i - start));
  }
  if (!std::all_of(words.begin(), words.end(), literal_word)) return std::nullopt;
  return words;
}

std::optional<NativeCheck> native_condition(const std::string& checkf, const ShellDefs& base,
                                            const ShellDefs& entry, const std::set<std::string>& untouched) {
  auto words = literal_words(checkf);
  if (!words || !valid_call(*words)) return std::nullopt;
  const CheckSpec& spec = *find_spec(words->front());
  NeedNames names = need_names(checkf, base, entry);
  std::set<std::string> expected(spec.reaches.begin(), spec.reaches.end());
  if (names.functions != expected) return std::nullopt;
  for (const std::string& f : names.functions)
    if (entry.functions.count(f) || !untouched.count(f)) return std::nullopt;
  for (const auto& [name, decl] : entry.variables)
    if (is_exported(decl)) return std::nullopt;
  NativeCheck n{words->front(), {words->begin() + 1, words->end()}, "", "", ""};
  for (const std::string& v : names.variables) {
    const std::string* decl = find_decl(v, base, entry);
    if (decl == nullptr) continue;
    if (is_exported(*decl)) return std::nullopt;
    for (std::size_t i = 0; i < root_names.size(); ++i) {
      if (v != root_names[i]) continue;
      auto value = plain_value(v, *decl);
      if (!value) return std::nullopt;
      *root_field(n, i) = *value;
    }
  }
  // A root the check names but nobody set would read below "/": leave that to zsh.
  for (std::size_t i = 0; i < root_names.size(); ++i)
    if (names.variables.count(root_names[i]) && !find_decl(root_names[i], base, entry)) return std::nullopt;
  return n;
}

std::string native_text(const NativeCheck& n) {
  std::string out = "check " + n.check + "\n";
  for (const std::string& a : n.args) out += "arg " + a + "\n";
  for (std::size_t i = 0; i < root_names.size(); ++i) {
    const std::string& v = *root_field(const_cast<NativeCheck&>(n), i);
    if (!v.empty()) out += std::string(root_names[i]) + " " + v + "\n";
  }
  return out;
}

std::optional<NativeCheck> parse_native(const std::string& text) {
  NativeCheck n;
  std::vector<std::string> words;
  for (const auto& [key, value] : fields_of(text)) {
    if (key == "check" && n.check.empty()) { n.check = value; words.push_back(value); continue; }
    if (key == "arg") { n.args.push_back(value); words.push_back(value); continue; }
    bool root = false;
    for (std::size_t i = 0; i < root_names.size(); ++i)
      if (key == root_names[i] && root_field(n, i)->empty() && !value.empty()) { *root_field(n, i) = value; root = true; }
    if (!root) return std::nullopt;
  }
  if (!valid_call(words) || native_text(n) != text) return std::nullopt;
  return n;
}

}  // namespace zsv
