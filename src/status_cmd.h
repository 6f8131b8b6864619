// status_cmd: zsvgen --status: gathers each service's rows from the live tree, svtab,
// runsv and its condition run now, and prints them. No lock is taken, nothing written.
#pragma once
#include "cli.h"

namespace zsv {

// The exit status: 0, or 2 for a NAME that is neither in svtab nor in the tree.
int status_command(const Options& opts, const char* argv0);

}  // namespace zsv
