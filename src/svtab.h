// svtab: the lexer/parser of /etc/svtab (SPEC §1). Pure: text in, entries and diagnostics out.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "diag.h"

namespace zsv {

// The feature switches of §1. Each entry's final flags are the defaults with the
// entry's letters applied over them, uppercase on, lowercase off.
struct Flags {
  bool stderr_to_log = false;  // E
  bool manual = false;         // M
  bool null_output = false;    // N

  bool operator==(const Flags&) const = default;
};

// The letters zsv knows, for error messages ("E, M, N").
std::string known_flag_letters();
bool is_known_flag(char c);
// Applies LETTERS (already validated) over BASE.
Flags apply_flags(Flags base, std::string_view letters);
// Renders flags as the canonical letter string, e.g. "Emn".
std::string flags_string(const Flags& f);

struct Entry {
  std::string name;
  std::string flags;              // the letters as written, validated
  std::string code;               // shell code, continuation lines joined by '\n'
  Location loc;                   // where the name starts
  std::string source_line;        // the entry's first line, for diagnostics
  std::vector<int> code_lines;    // svtab line of each line of `code`
  std::string generator;          // "dhcpcd.*" when this entry is one of its instances (SPEC §4)

  std::string prefix() const;     // text before the first '.'
  std::string instance() const;   // text after it, empty without a dot
};

struct Svtab {
  std::vector<Entry> entries;
  std::vector<Entry> generators;  // the `prefix.*` entries (SPEC §4), name "prefix.*", in file order
  std::vector<Diagnostic> diags;  // every problem found, in file order
};

// Why NAME is not a valid service name, with the 1-based column of the first
// offending byte; empty when it is valid.
struct NameProblem {
  std::string message;
  int col = 0;
};
NameProblem check_service_name(std::string_view name);

// True for a generator's name, "prefix.*"; its prefix is name minus the ".*".
bool is_generator_name(std::string_view name);

Svtab parse_svtab(std::string_view text, const std::string& file);

}  // namespace zsv
