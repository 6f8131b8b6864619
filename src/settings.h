// settings: the site settings zsvgen needs when no evaluator runs (--status, --why,
// the post-apply hooks), read by running lib/zsv_settings under zsh.
#pragma once
#include <chrono>
#include <string>

namespace zsv {

struct SiteSettings {
  std::chrono::milliseconds check_timeout{5000};  // zsv_check_timeout
  std::string post_apply_dir = "/etc/zsv/post-apply.d";  // zsv_post_apply_dir; empty: none
  std::chrono::milliseconds post_apply_timeout{10000};  // zsv_post_apply_timeout
  std::string error;  // the library or zsvrc did not load: the defaults above hold
};

// Parses lib/zsv_settings' output (NUL-terminated fields); the defaults where a field
// is missing or not a positive number.
SiteSettings parse_settings(const std::string& output);

// Runs lib/zsv_settings (bounded, 10 s) with the library and zsvrc as zsv_eval loads them.
SiteSettings read_site_settings(const std::string& zsh, const std::string& lib_dir,
                                const std::string& zsvrc, const std::string& service_dir);

}  // namespace zsv
