// settings: one bounded zsh on lib/zsv_settings, its fields parsed.
#include "settings.h"

#include <fmt/format.h>

#include "subproc.h"

namespace zsv {

namespace {

std::chrono::milliseconds seconds_or(const std::string& s, std::chrono::milliseconds fallback) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && v > 0 && v < 86400) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  } catch (const std::exception&) {
  }
  return fallback;
}

}  // namespace

SiteSettings parse_settings(const std::string& output) {
  SiteSettings s;
  std::vector<std::string> f;
  for (std::size_t pos = 0; pos < output.size();) {
    auto end = output.find('\0', pos);
    if (end == std::string::npos) break;
    f.push_back(output.substr(pos, end - pos));
    pos = end + 1;
  }
  if (f.size() != 3) {
    s.error = "lib/zsv_settings printed no settings";
    return s;
  }
  s.check_timeout = seconds_or(f[0], s.check_timeout);
  s.post_apply_dir = f[1];
  s.post_apply_timeout = seconds_or(f[2], s.post_apply_timeout);
  return s;
}

SiteSettings read_site_settings(const std::string& zsh, const std::string& lib_dir,
                                const std::string& zsvrc, const std::string& service_dir) {
  Job job{zsh, {"-f", lib_dir + "/zsv_settings", lib_dir, zsvrc, service_dir}, "", "", {}};
  JobResult r = run_jobs({job}, std::chrono::seconds(10), 1).front();
  if (!r.started) {
    SiteSettings s;
    s.error = fmt::format("cannot run zsh: {}", r.error);
    return s;
  }
  if (r.timed_out || r.status != 0) {
    SiteSettings s;
    s.error = r.timed_out ? "loading the library and zsvrc took longer than 10 s"
                          : fmt::format("the library or {} failed to load", zsvrc);
    return s;
  }
  return parse_settings(r.output);
}

}  // namespace zsv
