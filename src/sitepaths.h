// sitepaths: the site's path defaults for zsvgen and the hooks, one small file
// (/etc/default/zsv): the command line wins over the ZSV_* environment, which wins
// over this file, which wins over the built-in defaults (SPEC §7). Hooks need it:
// dhcpcd runs its hooks with a clean environment.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "diag.h"

namespace zsv {

// Where the file is; the environment variable ZSV_PATHS names another.
inline constexpr const char* kSitePathsFile = "/etc/default/zsv";

struct SitePaths {
  std::map<std::string, std::string> values;  // ZSV_NAME -> value; a later line wins
  std::vector<Diagnostic> diags;              // warnings only: a bad line is skipped
};

// TEXT holds lines `ZSV_NAME=VALUE` (the value verbatim to the end of the line: no
// quotes, no expansion, so sh can source the file too), `#` comment lines and blank
// lines. Any other line is a warning naming FILE:LINE and is skipped.
SitePaths parse_site_paths(std::string_view text, const std::string& file);

// Reads FILE: a missing file gives no values and no warning; one that is not a
// regular file (a FIFO would block) or cannot be read gives a warning.
SitePaths read_site_paths(const std::string& file);

}  // namespace zsv
