// service_settings: parsing, checking and rendering the settings of SPEC §10.
#include "service_settings.h"

#include <algorithm>
#include <array>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <sys/stat.h>

#include <fmt/format.h>

namespace zsv {

namespace {

// A limit: the zsh `ulimit` letter that sets it and the bytes in one of its units
// (0: a count, not a size).
struct LimitKind {
  const char* name;
  char letter;
  unsigned long long unit;
};
constexpr std::array<LimitKind, 7> limit_kinds{{
    {"as", 'v', 1024},
    {"core", 'c', 512},
    {"data", 'd', 1024},
    {"fsize", 'f', 512},
    {"nofile", 'n', 0},
    {"nproc", 'u', 0},
    {"stack", 's', 1024},
}};

const LimitKind* find_limit(const std::string& name) {
  for (const LimitKind& k : limit_kinds)
    if (name == k.name) return &k;
  return nullptr;
}

std::string limit_names() {
  std::string out;
  for (const LimitKind& k : limit_kinds) out += std::string(out.empty() ? "" : ", ") + k.name;
  return out;
}

bool is_digits(const std::string& s, std::size_t max_len) {
  return !s.empty() && s.size() <= max_len && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_account_name(const std::string& s) {
  if (s.empty() || s.size() > 32 || s[0] == '-' || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

bool is_env_name(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A value as it may be quoted in a message: control bytes as \xHH.
std::string shown(const std::string& v) {
  std::string out;
  for (unsigned char c : v.substr(0, 80)) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  if (v.size() > 80) out += "...";
  return out;
}

// The value of a limit in its zsh unit: "unlimited", a count, or bytes (suffix K, M, G
// for KiB, MiB, GiB) that are a whole number of units.
std::string limit_value(const LimitKind& k, const std::string& v, std::string& error) {
  if (v == "unlimited") return v;
  std::string digits = v;
  unsigned long long scale = 1;
  if (k.unit != 0 && !v.empty()) {
    switch (v.back()) {
      case 'K': scale = 1ull << 10; break;
      case 'M': scale = 1ull << 20; break;
      case 'G': scale = 1ull << 30; break;
      default: break;
    }
    if (scale != 1) digits.pop_back();
  }
  if (!is_digits(digits, 15)) {
    error = fmt::format("limits[{}] is '{}': give a number{} or unlimited", k.name, shown(v),
                        k.unit != 0 ? " of bytes (suffix K, M or G)" : "");
    return {};
  }
  unsigned long long n = std::stoull(digits) * scale;
  if (k.unit == 0) return std::to_string(n);
  if (n % k.unit != 0) {
    error = fmt::format("limits[{}] is '{}': it must be a multiple of {} bytes", k.name, shown(v), k.unit);
    return {};
  }
  return std::to_string(n / k.unit);
}

std::string check_scalar(const std::string& name, const std::string& v) {
  if (v.find('\0') != std::string::npos) return fmt::format("{} holds a NUL byte", name);
  return {};
}

}  // namespace

std::optional<Backoff> parse_backoff(const std::string& text) {
  std::istringstream in(text);
  Backoff b;
  std::string rest;
  if (!(in >> b.fails >> b.started >> b.until) || (in >> rest) || b.fails < 0) return std::nullopt;
  return b;
}

std::string shell_word(const std::string& v) {
  bool control = std::any_of(v.begin(), v.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
  std::string out;
  if (!control) {
    out = "'";
    for (char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  out = "$'";
  for (unsigned char c : v) {
    if (c == '\\' || c == '\'') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out + "'";
}

std::string parse_service_settings(const std::vector<std::string>& pairs, ServiceSettings& s) {
  if (pairs.size() % 2 != 0) return "its settings record is malformed";
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    const std::string& name = pairs[i];
    const std::string& v = pairs[i + 1];
    if (auto e = check_scalar(name == "limit" ? "limits" : name, v); !e.empty()) return e;
    if (name == "user" || name == "group") {
      if (!is_account_name(v))
        return fmt::format("{} is '{}', which is not a {} name (letters, digits, '_', '.', '-')", name, shown(v), name);
      (name == "user" ? s.user : s.group) = v;
    } else if (name == "env") {
      auto eq = v.find('=');
      if (eq == std::string::npos) return fmt::format("env has '{}', which has no '=': write NAME=VALUE", shown(v));
      if (!is_env_name(v.substr(0, eq)))
        return fmt::format("env has '{}': '{}' is not a variable name", shown(v), shown(v.substr(0, eq)));
      s.env.push_back(v);
    } else if (name == "chdir" || name == "chroot") {
      if (v.empty() || v[0] != '/') return fmt::format("{} is '{}': give an absolute directory", name, shown(v));
      (name == "chdir" ? s.chdir : s.chroot) = v;
    } else if (name == "umask") {
      if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
        return fmt::format("umask is '{}': give up to 4 octal digits, e.g. 027", shown(v));
      s.umask = v;
    } else if (name == "nice") {
      std::string d = !v.empty() && (v[0] == '-' || v[0] == '+') ? v.substr(1) : v;
      int n = is_digits(d, 2) ? std::stoi(d) * (v[0] == '-' ? -1 : 1) : 100;
      if (n < -20 || n > 19) return fmt::format("nice is '{}': give a number from -20 to 19", shown(v));
      s.nice = n;
    } else if (name == "limit") {
      auto eq = v.find('=');
      const LimitKind* k = eq == std::string::npos ? nullptr : find_limit(v.substr(0, eq));
      if (k == nullptr)
        return fmt::format("limits has '{}', which is not a limit (known: {})",
                           shown(v.substr(0, std::min(eq, v.size()))), limit_names());
      std::string error;
      std::string value = limit_value(*k, v.substr(eq + 1), error);
      if (!error.empty()) return error;
      s.limits[k->name] = value;
    } else if (name == "ready") {
      if (v.find_first_not_of(" \t\n") == std::string::npos) return "ready is empty: give a readiness command";
      s.ready = v;
    } else if (name == "backoff_max") {
      if (!is_digits(v, 5) || std::stoi(v) > 86400)
        return fmt::format("backoff_max is '{}': give a number of seconds from 0 to 86400", shown(v));
      s.backoff_max = std::stoi(v);
    } else {
      return fmt::format("its settings record names an unknown setting '{}'", shown(name));
    }
  }
  if (!s.chroot.empty() && !s.chdir.empty())
    return "chdir and chroot are both set: a chrooted service starts in the new root's /";
  return {};
}

SystemNames real_system_names() {
  return {
      [](const std::string& u) { return ::getpwnam(u.c_str()) != nullptr; },
      [](const std::string& g) { return ::getgrnam(g.c_str()) != nullptr; },
      [](const std::string& d) {
        struct stat st{};
        return ::stat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      },
  };
}

std::string check_against_system(const ServiceSettings& s, const SystemNames& sys) {
  if (!s.user.empty() && !sys.user_exists(s.user)) return fmt::format("user '{}' does not exist", s.user);
  if (!s.group.empty() && !sys.group_exists(s.group)) return fmt::format("group '{}' does not exist", s.group);
  for (auto [name, dir] : {std::pair{"chdir", &s.chdir}, std::pair{"chroot", &s.chroot}})
    if (!dir->empty() && !sys.is_directory(*dir)) return fmt::format("{} '{}' is not a directory", name, shown(*dir));
  return {};
}

bool wraps_run(const ServiceSettings& s) {
  return !s.user.empty() || !s.group.empty() || !s.env.empty() || !s.chroot.empty() || s.nice;
}

std::string run_prelude(const ServiceSettings& s) {
  std::string out;
  if (s.backoff_max > 0) out += fmt::format("zsv_backoff {}\n", s.backoff_max);
  if (!s.umask.empty()) out += "umask " + s.umask + "\n";
  for (const auto& [name, value] : s.limits)
    out += fmt::format("ulimit -HS -{} {} || exit 111\n", find_limit(name)->letter, value);
  if (!s.chdir.empty()) out += fmt::format("cd -- {} || exit 111\n", shell_word(s.chdir));
  if (!wraps_run(s)) return out;
  // Numeric ids, looked up now (outside any chroot) with the user's own groups, which
  // chpst -u alone would drop.
  std::string ids;
  if (!s.user.empty()) {
    out += fmt::format("zsv_uid=$(id -u -- {0}) && zsv_gids=$(id -G -- {0}) || exit 111\n", shell_word(s.user));
    ids = "$zsv_uid";
  } else if (!s.group.empty()) {
    ids = "$UID";
  }
  if (!s.group.empty()) {
    out += fmt::format("zsv_gid=$(getent group -- {}) || exit 111\n", shell_word(s.group));
    ids += ":${${(s.:.)zsv_gid}[3]}";
  }
  if (!s.user.empty()) ids += ":${zsv_gids// /:}";
  std::string wrap;
  if (!s.env.empty()) {
    wrap += " env --";
    for (const std::string& e : s.env) wrap += fmt::format(" {}", shell_word(e));
  }
  std::string chpst;
  if (!ids.empty()) chpst += fmt::format(" -u \":{}\"", ids);
  if (!s.chroot.empty()) chpst += fmt::format(" -/ {}", shell_word(s.chroot));
  if (s.nice) chpst += fmt::format(" -n {}", *s.nice);
  if (!chpst.empty()) wrap += fmt::format(" chpst{} --", chpst);
  out += fmt::format("run=({} \"${{run[@]}}\" )\n", wrap);
  return out;
}

}  // namespace zsv
