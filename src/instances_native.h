// instances_native: the library's zsv_instances_dhcpcd (lib/zsv_instances) evaluated by
// zsvgen itself, reading the same sysfs files as the zsh function, so that a run on a
// network event starts no zsh for `dhcpcd.*` (SPEC §12). Used only while the zsvrc left
// the function as the library defines it (instances.h); test_generators.sh holds both
// to the same answer on the same kernel state.
#pragma once
#include <optional>
#include <string>

namespace zsv {

// What zsv_instances_PREFIX would print with $zsv_sysfs = SYSFS, when zsvgen knows
// that function (dhcpcd); nullopt for a prefix it does not.
std::optional<std::string> native_instances(const std::string& prefix, const std::string& sysfs);

}  // namespace zsv
