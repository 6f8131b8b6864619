// sources: the svtab and the fragments of its svtab.d (SPEC §14), read and parsed as
// one svtab. The fragments are read after svtab, in name order, as if appended.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "svtab.h"

namespace zsv {

// One input file: the path diagnostics and zsv/source name, and its text.
struct SourceFile {
  std::string path;
  std::string text;
};

// Pure: parses each file and joins the entries in order. A name already defined in an
// earlier file is an error at the later entry citing the first (file:line); that
// entry is dropped. The diagnostics are in file order.
Svtab parse_sources(const std::vector<SourceFile>& files);

// The fragments of DIR: every name ending in ".svtab" and not starting with '.', in
// byte order (so editor backups "x.svtab~", "x.svtab.swp", "#x.svtab#" and package
// leftovers "x.svtab.dpkg-old" are not read). A missing DIR has no fragments.
std::vector<std::string> fragment_names(const std::vector<std::string>& dir_entries);

// Reads SVTAB, then each fragment of SVTAB_D (none when SVTAB_D is empty or missing),
// and parses them with parse_sources. A file that cannot be read, is not a regular file
// (after following a symlink) or is larger than LIMIT bytes is an error: nothing may be
// applied when part of the input is missing, since its services would be removed.
Svtab read_sources(const std::string& svtab, const std::string& svtab_d, std::size_t limit = 16u << 20);

}  // namespace zsv
