// eval: resolving svtab entries through zsh (SPEC §2-§3). One zsh per batch of entries
// loads the library and zsvrc once; each entry is resolved, and its condition
// evaluated, in a subshell of its own. Every step is bounded by a timeout.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eval_types.h"
#include "service_settings.h"
#include "svtab.h"

namespace zsv {

struct EvalSettings {
  std::string zsh;          // path of the zsh binary
  std::string lib_dir;      // holds zsv_config and zsv_eval
  std::string zsvrc;        // the site file; may not exist
  std::string service_dir;  // passed to the library as $zsv_service_dir
  int jobs = 0;             // parallel evaluators; 0: one per core, fewer for few entries
};


// One entry as zsh resolved it.
struct Resolved {
  std::string default_flags;  // $zsv_flags as the entry saw it, before its own letters
  std::string runf, logf, checkf;
  ScriptNeeds run, log, check;
  std::string native;  // zsv/native: the condition zsvgen evaluates itself; empty: zsh's (native_rule.h)
  ServiceSettings settings;  // user, env, limits, ready, backoff... (SPEC §10)
  std::string run_prelude;   // the run script's lines for them, before runf
  ScriptNeeds ready;         // what NAME/check needs, when settings.ready is set
};

struct Outcome {
  bool reused = false;               // resolution skipped: the live service's check was run
  // Empty: reused, or the entry failed and is left as it is. On the heap: a re-run of
  // 1000 reused services holds 2000 outcomes, and a Resolved inline is ~800 bytes.
  std::shared_ptr<const Resolved> resolved;
  std::string error;                 // why it failed, for the diagnostic
  bool condition = false;            // the check held
  bool check_timed_out = false;
  std::string output;                // what the entry's code and check wrote to stderr
};

struct Evaluation {
  std::string load_error;  // the library or zsvrc failed to load: nothing is applied
  Location load_loc;       // the file (the library's or the zsvrc) it is about
  std::string load_detail; // what zsh said meanwhile
  std::vector<Outcome> outcomes;  // one per entry, in order
  std::chrono::milliseconds resolve_timeout{10000};
  std::chrono::milliseconds check_timeout{5000};
  // The post-apply hooks' settings (zsv_post_apply_dir, zsv_post_apply_timeout), once
  // the evaluator (or the settings cache) reported them: then no zsh is asked again.
  std::optional<std::string> post_apply_dir;
  std::optional<std::chrono::milliseconds> post_apply_timeout;
};

// FIND_REUSABLE is called once the evaluators are starting (they load the library
// meanwhile); element i of what it returns, when not empty, is the path of entry i's
// live zsv/check: its resolution is reused and only that script is run.
Evaluation evaluate_entries(const std::vector<Entry>& entries,
                            const std::function<std::vector<std::string>()>& find_reusable,
                            const EvalSettings& settings);

}  // namespace zsv
