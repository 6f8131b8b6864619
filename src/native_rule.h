// native_rule: which conditions zsvgen evaluates itself, without zsh (SPEC §6
// "Conditions without a shell"), and zsv/native, the record of what it evaluates.
// Pure: the evaluator's definitions in, a decision out.
//
// A condition is native when all of these hold:
//  * checkf is one call of a check of the §8 table (lib/zsv_checks) with the number
//    of arguments it takes, every word literal (letters, digits and _./@:+,%=- only,
//    not starting with = or ~: nothing zsh would expand, split, glob or quote);
//  * the functions its script reaches are exactly the check and the helpers it calls
//    by name (zsv_check_link reaches zsv_check_wifi and zsv_check_carrier), each the
//    library's own definition: not redefined by zsvrc (UNTOUCHED, from the evaluator)
//    nor defined by the entry (no site "read" or "ip" function slips in either);
//  * the kernel-state roots it names (zsv_sysfs, zsv_procfs, zsv_service_dir) have
//    plain values, and nothing the script carries is exported.
// Anything else (a check() function, a site check, a compound, $variables) runs in zsh.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "needs.h"

namespace zsv {

struct NativeCheck {
  std::string check;               // "zsv_check_carrier"
  std::vector<std::string> args;   // literal words
  std::string sysfs, procfs, service_dir;  // the roots, empty when the check names none
  bool operator==(const NativeCheck&) const = default;
};

// The native form of CHECKF, given the library's and zsvrc's definitions BASE, the
// entry's own ENTRY, and the library functions zsvrc left as the library defined them.
std::optional<NativeCheck> native_condition(const std::string& checkf, const ShellDefs& base,
                                            const ShellDefs& entry, const std::set<std::string>& untouched);

// The text of zsv/native ("check NAME\narg WORD\n...sysfs DIR\n"), and back. parse_native
// refuses anything native_condition could not have produced.
std::string native_text(const NativeCheck& n);
std::optional<NativeCheck> parse_native(const std::string& text);

// The checkf words of a native check, split; empty when one is not a literal word.
std::optional<std::vector<std::string>> literal_words(const std::string& command);

}  // namespace zsv
