// eval_types: the values the evaluator hands on to rendering.
#pragma once
#include <string>

namespace zsv {

// What a script needs besides its command: variable declarations and functions.
struct ScriptNeeds {
  std::string vars;
  std::string functions;
  bool operator==(const ScriptNeeds&) const = default;
};

}  // namespace zsv
