// reuse: skipping the resolution of entries whose inputs did not change. Their scripts
// stand in the live tree as zsv wrote them; only their condition is evaluated again
// (by the service's own zsv/check), as SPEC §6 asks of every run.
#pragma once
#include <string>

#include <optional>

#include "livetree.h"
#include "native_rule.h"
#include "render.h"

namespace zsv {

// True when LIVE was rendered from KEY and its scripts are as zsv wrote them.
bool reusable(const LiveService& live, const std::string& key);

// The native condition a reusable LIVE service recorded in zsv/native, if any.
std::optional<NativeCheck> live_native(const LiveService& live);

// A service taken whole from the boot cache (bootcache.h) for ENTRY: CACHED's files,
// zsv/source (and zsv/generator) from ENTRY, the want from CONDITION; created like a new one.
DesiredService render_cached(const Entry& entry, const LiveService& cached, bool condition);

// The service as it stands, for an entry whose resolution is reused: its flags from
// the live tree, zsv/source (and zsv/generator) from ENTRY, the want from CONDITION; the scripts stay.
DesiredService render_reused(const Entry& entry, const LiveService& live, bool condition);

}  // namespace zsv
