// settings_cache: the zsv_config/zsvrc settings the evaluator reports (its H record:
// the timeouts and the post-apply hooks' settings), kept for runs that start no zsh. Stored as .zsv-settings in the
// service directory and in the boot cache, keyed by the shared-inputs digest (library,
// zsvrc, zsh, paths, version), so an edit of zsvrc or the library invalidates it.
//
// Reading a setting anywhere: site_setting(settings, "name", fallback).
// Adding one: report it in lib/zsv_eval's H record and keep it in Evaluation (eval.h),
// then add one line to each of settings_of() and apply_settings() in settings_cache.cc.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "eval.h"

namespace zsv {

struct CachedSettings {
  std::map<std::string, std::string> values;  // name -> value as zsh printed it
};

// The setting NAME, or FALLBACK when it is not known.
std::string site_setting(const CachedSettings& s, const std::string& name, const std::string& fallback);

// The settings an evaluation reported, and back into an Evaluation that ran no zsh.
CachedSettings settings_of(const Evaluation& ev);
void apply_settings(const CachedSettings& s, Evaluation& ev);

// .zsv-settings under DIRFD for KEY; nullopt when missing, for another key, or garbled.
// Neither throws: a broken cache only means the evaluator is asked again.
std::optional<CachedSettings> load_settings(int dirfd, const std::string& key);
void store_settings(int dirfd, const std::string& key, const CachedSettings& s);

}  // namespace zsv
