// why: the story of one service for --why NAME, each fact with where it came from.
// Pure: lib/zsv_why's output, the svtab entry and the live files in; text out
// (why_cmd.cc gathers them).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "svtab.h"

namespace zsv {

// Where zsh recorded that a function was defined.
struct FunctionSource {
  std::string name;
  std::string file;  // "(entry)": the entry's own code
  int line = 0;      // 0: unknown; for "(entry)" the line of the entry's code
};

// What lib/zsv_why printed: KEY\0VALUE\0 pairs.
struct WhyFacts {
  std::map<std::string, std::string> values;  // flags.config, runf, runf.from, ...
  std::vector<FunctionSource> functions;
  std::string error;  // the entry failed to resolve
};
WhyFacts parse_why_output(const std::string& output);

// The functions a rendered script defines ("name () {" lines) and the variables it
// declares (its "typeset -g..." lines), in order.
std::vector<std::string> script_functions(const std::string& script);
std::vector<std::string> script_variables(const std::string& script);

// FILE:LINE of a function, the entry's own code mapped onto its svtab lines.
std::string source_of(const FunctionSource& f, const Entry& entry);

// Each of E, M, N: on or off, and which layer decided it.
struct FlagOrigin {
  char letter = 0;
  bool on = false;
  std::string origin;
};
std::vector<FlagOrigin> flag_origins(const WhyFacts& facts, const Entry& entry, const std::string& zsvrc);

struct WhyInput {
  const Entry* entry = nullptr;
  std::string zsvrc;
  WhyFacts facts;
  bool in_tree = false, ours = false;
  std::map<std::string, std::string> scripts;  // "run", "log/run", "zsv/check" -> text
  std::string want;                            // zsv/want, without its newline
  std::string condition;                       // "holds", "fails", "timed out", "" (not run)
  int check_status = 0;
  std::string check_output;
  std::string last;                            // zsv/last
  long long now = 0;
};
std::string why_story(const WhyInput& in);

// The text of zsv/last: one "UNIXTIME KIND DETAIL" line per action of the run.
std::string last_text(long long when, const std::vector<std::pair<std::string, std::string>>& actions);

}  // namespace zsv
