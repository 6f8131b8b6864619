// instances: each generator's instances for this run (SPEC §4), and the svtab expanded
// with them. zsv_instances_dhcpcd is evaluated by zsvgen itself (instances_native.h)
// while it is the library's own: .zsv-generators in the service directory says so for
// the shared inputs (library, zsvrc, zsh, paths) a zsh last found it under. Every
// other generator runs lib/zsv_generate in a zsh of its own, all at once, each bounded
// by the check timeout (the script's own bound, and a backstop here).
#pragma once
#include <map>
#include <string>

#include "bootcache.h"
#include "eval.h"
#include "generators.h"
#include "livetree.h"

namespace zsv {

// lib/zsv_generate's output read back: the result after "\0I" NONCE "\0" (what comes
// before it is the text of the diagnostic). FUNCTION names zsv_instances_PREFIX in
// the messages.
struct GenerateResult {
  InstanceList list;
  bool own = false;   // the function is the library's, untouched by the zsvrc
  std::string sysfs;  // $zsv_sysfs as it had it
};
GenerateResult parse_generate_output(const std::string& output, const std::string& nonce,
                                     const std::string& function);

// The generators of TAB expanded with their instances into TAB.entries (after the
// explicit entries). TREEFD (-1: none) holds the live tree LIVE and .zsv-generators;
// the boot cache CACHE (may be null) keeps a copy for a boot's empty tree. Both are
// updated when STORE. What the caller must add to its run: the services to keep as
// they are, the diagnostics and the failures.
Expansion add_instances(Svtab& tab, const EvalSettings& es, const std::string& inputs, int treefd,
                        BootCache* cache, const LiveTree& live, bool store);

}  // namespace zsv
