// plan: the desired tree against the live one, as a list of what to do per service.
// Pure: values in, values out; apply carries the plan out.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "livetree.h"
#include "render.h"

namespace zsv {

enum class Op { create, update, remove, keep };

struct ServicePlan {
  std::string name;
  Op op = Op::keep;
  std::vector<File> writes;          // create: every file; update: those that changed
  std::vector<std::string> deletes;  // files no longer wanted, and temp files of a killed run
  bool remove_log_dir = false;       // the service lost its logger (N)
  bool restart_service = false;      // run changed: 't' if it is running
  bool restart_log = false;          // log/run changed: 't' to the logger
  bool restart_runsv = false;        // log/ came or went: runsv reads it only at start ('x')
  // The condition's edge (SPEC §6): what to do with `down`, what to tell runsv, and
  // zsv/want, written last so that a run killed half-way repeats the edge.
  std::optional<Want> set_want;
  bool write_down = false;
  bool remove_down = false;
  char command = 0;                  // 'u', 'd' or 0
  bool clear_pending = false;        // zsv/pending is there: removed once the restarts are sent

  bool changes_anything() const;
  // The restarts to record in zsv/pending before any file is written, so that a run
  // killed before it sends them leaves them to the next run (SPEC §6): "t", "l", "x".
  std::string pending() const;
};

struct Plan {
  std::vector<ServicePlan> services;  // in name order
  std::vector<std::string> leftovers;  // staging or retiring directories of a killed run
  std::vector<std::string> conflicts;  // svtab names held by a directory that is not zsv's
};

// KEEP: names in svtab that were not evaluated this run (failed, or not in --only):
// their live service is left exactly as it is.
Plan plan_changes(const std::vector<DesiredService>& desired, const std::set<std::string>& keep,
                  const LiveTree& live);

}  // namespace zsv
