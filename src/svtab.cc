// svtab: parsing of the svtab format, with every error reported at its column.
#include "svtab.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

namespace zsv {

namespace {

constexpr std::size_t max_name_length = 64;

bool is_name_byte(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '.' || c == '@' || c == '+' || c == '-';
}

std::string describe_byte(unsigned char c) {
  if (c == ' ') return "a space";
  if (c == '\t') return "a tab";
  if (c < 0x20 || c == 0x7f) return fmt::format("control byte 0x{:02x}", c);
  if (c >= 0x80) return fmt::format("byte 0x{:02x}", c);
  return fmt::format("'{}'", static_cast<char>(c));
}

struct Line {
  std::string_view text;
  int number;
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  int number = 1;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back({text.substr(0, nl), number++});
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Svtab run(std::string_view text) {
    for (const Line& line : split_lines(text)) take_line(line);
    return std::move(out_);
  }

 private:
  void error(const Line& line, int col, std::string message) {
    out_.diags.push_back(make_diagnostic(Severity::error, {file_, line.number, col}, std::move(message),
                                         std::string(line.text)));
  }

  void take_line(const Line& line) {
    if (auto nul = line.text.find('\0'); nul != std::string_view::npos) {
      error(line, static_cast<int>(nul) + 1, "a NUL byte: svtab is text, and shell code cannot hold one");
      // The entry is broken: the rest of its block is swallowed with it.
      scratch_ = Entry{};
      open_ = &scratch_;
      pending_blank_.clear();
      return;
    }
    if (line.text.empty()) {
      if (open_ != nullptr) pending_blank_.push_back(line.number);
      return;
    }
    if (line.text.front() == '#') return;
    if (line.text.front() == ' ' || line.text.front() == '\t') {
      take_continuation(line);
      return;
    }
    take_entry(line);
  }

  void take_continuation(const Line& line) {
    if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) {
      if (open_ != nullptr) pending_blank_.push_back(line.number);
      return;
    }
    if (open_ == nullptr) {
      if (!orphan_reported_)  // one orphan block is one mistake
        error(line, 1, "continuation line with no entry before it");
      orphan_reported_ = true;
      return;
    }
    for (int blank : pending_blank_) append_code(*open_, "", blank);
    pending_blank_.clear();
    append_code(*open_, line.text, line.number);
  }

  static void append_code(Entry& e, std::string_view text, int number) {
    if (!e.code_lines.empty()) e.code += '\n';
    e.code += text;
    e.code_lines.push_back(number);
  }

  void take_entry(const Line& line) {
    open_ = nullptr;
    pending_blank_.clear();
    orphan_reported_ = false;
    std::string_view rest = line.text;
    auto colon = rest.find(':');
    std::string_view name = rest.substr(0, colon);
    bool ok = check_name(line, name);

    Entry e;
    e.name = std::string(name);
    e.loc = {file_, line.number, 1};
    e.source_line = std::string(line.text);
    if (colon != std::string_view::npos) {
      rest.remove_prefix(colon + 1);
      auto colon2 = rest.find(':');
      std::string_view flags = rest.substr(0, colon2);
      ok = check_flags(line, flags, static_cast<int>(colon) + 2) && ok;
      e.flags = std::string(flags);
      // An empty first line of code adds nothing: the block below is the code.
      if (colon2 != std::string_view::npos && colon2 + 1 < rest.size())
        append_code(e, rest.substr(colon2 + 1), line.number);
    }
    if (ok) ok = check_duplicate(line, e.name);
    if (!ok) {
      // Swallow the entry's continuation lines: they belong to a broken entry.
      scratch_ = std::move(e);
      open_ = &scratch_;
      return;
    }
    auto& into = is_generator_name(e.name) ? out_.generators : out_.entries;
    into.push_back(std::move(e));
    open_ = &into.back();
  }

  bool check_name(const Line& line, std::string_view name) {
    if (is_generator_name(name)) {  // its prefix obeys the name rule, and has no '.' of its own
      std::string_view prefix = name.substr(0, name.size() - 2);
      NameProblem p = check_service_name(prefix);
      if (p.message.empty() && prefix.find('.') != std::string_view::npos)
        p = {"a generator is PREFIX.* with no '.' in PREFIX (the prefix names zsv_instances_PREFIX)",
             static_cast<int>(prefix.find('.')) + 1};
      if (p.message.empty()) return true;
      error(line, p.col, p.message);
      return false;
    }
    NameProblem p = check_service_name(name);
    if (p.message.empty()) return true;
    error(line, p.col, p.message);
    return false;
  }

  bool check_flags(const Line& line, std::string_view flags, int first_col) {
    bool ok = true;
    for (std::size_t i = 0; i < flags.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(flags[i]);
      int col = first_col + static_cast<int>(i);
      if (!std::isalpha(c) || c >= 0x80) {
        error(line, col, fmt::format("flags are ASCII letters, not {}", describe_byte(c)));
        ok = false;
      } else if (!is_known_flag(static_cast<char>(c))) {
        error(line, col, fmt::format("unknown flag '{}' (known flags: {})", static_cast<char>(c),
                                     known_flag_letters()));
        ok = false;
      }
    }
    return ok;
  }

  bool check_duplicate(const Line& line, const std::string& name) {
    auto [it, fresh] = first_line_.emplace(name, line.number);
    if (fresh) return true;
    error(line, 1, fmt::format("duplicate service '{}' (first defined at {}:{})", name, file_,
                               it->second));
    return false;
  }

  std::string file_;
  Svtab out_;
  Entry* open_ = nullptr;  // the entry continuation lines append to
  Entry scratch_;          // a rejected entry, kept only to absorb its block
  std::vector<int> pending_blank_;  // blank lines inside the block, kept if more code follows
  bool orphan_reported_ = false;
  std::map<std::string, int> first_line_;
};

}  // namespace

std::string known_flag_letters() { return "E, M, N"; }

bool is_known_flag(char c) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'E': case 'M': case 'N': return true;
    default: return false;
  }
}

Flags apply_flags(Flags f, std::string_view letters) {
  for (char c : letters) {
    bool on = std::isupper(static_cast<unsigned char>(c));
    switch (std::toupper(static_cast<unsigned char>(c))) {
      case 'E': f.stderr_to_log = on; break;
      case 'M': f.manual = on; break;
      case 'N': f.null_output = on; break;
      default: break;
    }
  }
  return f;
}

std::string flags_string(const Flags& f) {
  std::string s;
  s += f.stderr_to_log ? 'E' : 'e';
  s += f.manual ? 'M' : 'm';
  s += f.null_output ? 'N' : 'n';
  return s;
}

std::string Entry::prefix() const { return name.substr(0, name.find('.')); }

std::string Entry::instance() const {
  auto dot = name.find('.');
  return dot == std::string::npos ? std::string() : name.substr(dot + 1);
}

NameProblem check_service_name(std::string_view name) {
  if (name.empty()) return {"empty service name", 1};
  if (name.front() == '.' || name.front() == '-')
    return {fmt::format("a service name may not start with '{}'", name.front()), 1};
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!is_name_byte(c))
      return {fmt::format("{} is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)",
                          describe_byte(c)),
              static_cast<int>(i) + 1};
  }
  if (name.size() > max_name_length)
    return {fmt::format("service name is {} bytes long; at most {} are allowed", name.size(),
                        max_name_length),
            static_cast<int>(max_name_length) + 1};
  return {};
}

bool is_generator_name(std::string_view name) {
  return name.size() >= 2 && name.substr(name.size() - 2) == ".*";
}

Svtab parse_svtab(std::string_view text, const std::string& file) {
  return Parser(file).run(text);
}

}  // namespace zsv
