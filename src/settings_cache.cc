// settings_cache: "key DIGEST\nNAME VALUE\n..." in DIR/.zsv-settings.
#include "settings_cache.h"

#include <fmt/format.h>

#include "fsutil.h"

namespace zsv {

namespace {
const char* const file_name = ".zsv-settings";

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{}", ms.count() / 1000.0); }

std::chrono::milliseconds seconds_value(const CachedSettings& s, const std::string& name, std::chrono::milliseconds fallback) {
  try {
    double v = std::stod(site_setting(s, name, ""));
    if (v > 0) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  } catch (const std::exception&) {
  }
  return fallback;
}
}  // namespace

std::string site_setting(const CachedSettings& s, const std::string& name, const std::string& fallback) {
  auto it = s.values.find(name);
  return it == s.values.end() ? fallback : it->second;
}

CachedSettings settings_of(const Evaluation& ev) {
  CachedSettings s;
  s.values["zsv_resolve_timeout"] = seconds_text(ev.resolve_timeout);
  s.values["zsv_check_timeout"] = seconds_text(ev.check_timeout);
  // One line per setting: a directory with a newline is not kept (zsh is asked then).
  if (ev.post_apply_dir && ev.post_apply_dir->find('\n') == std::string::npos)
    s.values["zsv_post_apply_dir"] = *ev.post_apply_dir;
  if (ev.post_apply_timeout) s.values["zsv_post_apply_timeout"] = seconds_text(*ev.post_apply_timeout);
  return s;
}

void apply_settings(const CachedSettings& s, Evaluation& ev) {
  ev.resolve_timeout = seconds_value(s, "zsv_resolve_timeout", ev.resolve_timeout);
  ev.check_timeout = seconds_value(s, "zsv_check_timeout", ev.check_timeout);
  if (auto it = s.values.find("zsv_post_apply_dir"); it != s.values.end()) ev.post_apply_dir = it->second;
  if (s.values.count("zsv_post_apply_timeout"))
    ev.post_apply_timeout = seconds_value(s, "zsv_post_apply_timeout", std::chrono::milliseconds(10000));
}

std::optional<CachedSettings> load_settings(int dirfd, const std::string& key) {
  try {
    auto text = read_file_at(dirfd, file_name);
    if (!text || text->compare(0, 4 + key.size() + 1, "key " + key + "\n") != 0) return std::nullopt;
    CachedSettings s;
    std::size_t pos = 4 + key.size() + 1;
    while (pos < text->size()) {
      auto nl = text->find('\n', pos);
      if (nl == std::string::npos) return std::nullopt;
      auto sp = text->find(' ', pos);
      if (sp == std::string::npos || sp > nl) return std::nullopt;
      s.values[text->substr(pos, sp - pos)] = text->substr(sp + 1, nl - sp - 1);
      pos = nl + 1;
    }
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void store_settings(int dirfd, const std::string& key, const CachedSettings& s) {
  std::string text = "key " + key + "\n";
  for (const auto& [name, value] : s.values)
    if (value.find('\n') == std::string::npos) text += name + " " + value + "\n";
  try {
    if (read_file_at(dirfd, file_name) != text) write_file_atomic(dirfd, file_name, text, 0644);
  } catch (const std::exception&) {
  }
}

}  // namespace zsv
