// why_cmd: zsvgen --why NAME: gathers the entry, its live files, lib/zsv_why's account
// of the resolution and its condition run now, and prints the story. Writes nothing.
#pragma once
#include "cli.h"

namespace zsv {

// The exit status: 0; 1 when svtab cannot be read; 2 for a NAME svtab does not have.
int why_command(const Options& opts, const char* argv0);

}  // namespace zsv
