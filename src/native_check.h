// native_check: the library's checks (lib/zsv_checks, SPEC §8) evaluated by zsvgen
// itself, reading the same kernel state as the zsh functions: sysfs and procfs below
// the roots the check's script carries, and rtnetlink where the function runs `ip`.
// tests/native holds the two evaluations to the same answers on real kernel states.
#pragma once
#include "native_rule.h"

namespace zsv {

// True when the condition holds (the zsh function would exit 0). Never throws: what
// cannot be read counts as the zsh function counts it (a missing file is false).
bool evaluate_native(const NativeCheck& check);

}  // namespace zsv
