// needs: what a rendered script must carry to run on its own: the functions its
// command reaches by name (transitively) and the variables those functions and the
// command name. Pure; the evaluator reports the definitions, this picks from them.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eval_types.h"

namespace zsv {

// A function as the library or an entry defined it, with the words of its body
// that could name a function or a variable (computed once).
struct ShellFunction {
  std::string body;
  std::vector<std::string> function_words;
  std::vector<std::string> variable_words;
};
ShellFunction make_shell_function(std::string body);

// Definitions: function name -> function, variable name -> zsh declaration.
struct ShellDefs {
  std::map<std::string, ShellFunction> functions;
  std::map<std::string, std::string> variables;
};

// The names a script for COMMAND reaches: the functions (transitively, by name, those
// defined in BASE or ENTRY) and the variable words of the command and those functions.
struct NeedNames {
  std::set<std::string> functions, variables;
};
NeedNames need_names(const std::string& command, const ShellDefs& base, const ShellDefs& entry);

// The needs of COMMAND ("name args...") given the library's definitions BASE and the
// entry's own ENTRY (which win). Variables the entry exports are always included.
ScriptNeeds script_needs(const std::string& command, const ShellDefs& base, const ShellDefs& entry);

// A declaration "typeset -gax name; ..." exports: its option letters hold an x.
bool is_exported(const std::string& decl);

// Parses the evaluator's definition blocks: "name\x1fvalue\x1e" repeated.
std::vector<std::pair<std::string, std::string>> parse_defs_block(const std::string& block);

}  // namespace zsv
