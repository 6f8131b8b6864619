// livetree: what is in the service directory now. Reads only; never follows symlinks.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "render.h"

namespace zsv {

struct LiveService {
  std::string name;
  bool ours = false;                          // a real directory with a real zsv/ in it
  std::map<std::string, std::string> files;   // managed path -> contents, those present
  bool has_log_dir = false;
  bool has_down = false;
  std::optional<Want> want;                   // zsv/want; empty when missing or garbled
  // zsv/pending: the restarts a run decided and had not yet sent when it was killed
  // ('t' the service, 'l' its logger, 'x' its runsv); empty when none.
  std::string pending;
  std::vector<std::string> temp_files;        // ".x.zsv-tmp" left by a killed run
};

struct LiveTree {
  std::map<std::string, LiveService> services;  // every non-dot entry, ours or not
  std::vector<std::string> leftovers;           // ".NAME.zsv-new" / ".NAME.zsv-old" of a killed run, marked as zsv's
};

// The dot-names a run builds a new service under and parks a removed one under.
std::string staging_name(const std::string& name);   // ".NAME.zsv-new"
std::string retiring_name(const std::string& name);  // ".NAME.zsv-old"

// True when NAME under DIRFD is a directory zsv may delete as its own leftover: empty
// (a run killed right after mkdir) or marked by a real zsv/ directory inside.
bool zsv_leftover_at(int dirfd, const std::string& name);

// Reads the tree under DIRFD.
LiveTree read_live_tree(int dirfd);

}  // namespace zsv
