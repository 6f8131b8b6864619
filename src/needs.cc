// needs: the transitive closure over function names, and the variables it mentions.
#include "needs.h"

#include <set>

namespace zsv {

namespace {

bool is_function_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '@' || c == '+' || c == '-';
}

bool is_variable_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// The distinct maximal runs of characters for which KEEP holds, in order of appearance.
template <typename Pred>
std::vector<std::string> words(const std::string& text, Pred keep) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !keep(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && keep(text[i])) ++i;
    if (i > start) {
      std::string w = text.substr(start, i - start);
      if (seen.insert(w).second) out.push_back(std::move(w));
    }
  }
  return out;
}

const ShellFunction* find_function(const std::string& name, const ShellDefs& base, const ShellDefs& entry) {
  if (auto it = entry.functions.find(name); it != entry.functions.end()) return &it->second;
  if (auto it = base.functions.find(name); it != base.functions.end()) return &it->second;
  return nullptr;
}

const std::string* find_variable(const std::string& name, const ShellDefs& base, const ShellDefs& entry) {
  if (auto it = entry.variables.find(name); it != entry.variables.end()) return &it->second;
  if (auto it = base.variables.find(name); it != base.variables.end()) return &it->second;
  return nullptr;
}

bool is_runner_variable(const std::string& name) {
  return name == "runf" || name == "logf" || name == "checkf";
}

}  // namespace

bool is_exported(const std::string& decl) {
  auto dash = decl.find(" -");
  if (dash == std::string::npos) return false;
  auto end = decl.find(' ', dash + 2);
  return decl.substr(dash + 2, end - dash - 2).find('x') != std::string::npos;
}

ShellFunction make_shell_function(std::string body) {
  ShellFunction f;
  f.function_words = words(body, is_function_char);
  f.variable_words = words(body, is_variable_char);
  f.body = std::move(body);
  return f;
}

NeedNames need_names(const std::string& command, const ShellDefs& base, const ShellDefs& entry) {
  NeedNames n;
  auto& [functions, variables] = n;
  std::vector<std::string> todo = words(command, is_function_char);
  for (const std::string& v : words(command, is_variable_char)) variables.insert(v);
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    const ShellFunction* f = find_function(name, base, entry);
    if (f == nullptr || !functions.insert(name).second) continue;
    for (const std::string& w : f->function_words)
      if (!functions.count(w)) todo.push_back(w);
    variables.insert(f->variable_words.begin(), f->variable_words.end());
  }
  return n;
}

ScriptNeeds script_needs(const std::string& command, const ShellDefs& base, const ShellDefs& entry) {
  auto [functions, variables] = need_names(command, base, entry);
  for (const auto& [name, decl] : entry.variables)
    if (is_exported(decl)) variables.insert(name);

  ScriptNeeds needs;
  for (const std::string& v : variables) {
    const std::string* decl = find_variable(v, base, entry);
    if (decl != nullptr && !is_runner_variable(v)) needs.vars += *decl + "\n";
  }
  for (const std::string& name : functions)
    needs.functions += name + " () {\n" + find_function(name, base, entry)->body + "\n}\n";
  return needs;
}

std::vector<std::pair<std::string, std::string>> parse_defs_block(const std::string& block) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < block.size()) {
    auto end = block.find('\x1e', pos);
    if (end == std::string::npos) end = block.size();
    auto sep = block.find('\x1f', pos);
    if (sep != std::string::npos && sep < end)
      out.emplace_back(block.substr(pos, sep - pos), block.substr(sep + 1, end - sep - 1));
    pos = end + 1;
  }
  return out;
}

}  // namespace zsv
