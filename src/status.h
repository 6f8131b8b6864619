// status: what --status shows of each service, and where reality and zsv disagree.
// Pure: rows in, marks, table and JSON out (status_cmd.cc gathers the rows).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "render.h"
#include "runit.h"
#include "service_settings.h"

namespace zsv {

enum class Condition { unknown, holds, fails, timed_out };
const char* condition_word(Condition c);  // "holds", "fails", "timed out", "-"

struct StatusRow {
  std::string name;
  bool in_tree = false;   // a directory (or anything) of that name in the service dir
  bool ours = false;      // ... with a real zsv/ in it
  bool in_svtab = false;  // svtab has an entry of that name
  std::string source;     // zsv/source: "FILE:LINE"
  std::optional<Want> want;  // zsv/want
  std::string flags;      // from zsv/inputs
  Condition condition = Condition::unknown;  // its zsv/check, run now
  bool runsv = false;     // a runsv serves it now
  std::optional<ServiceStatus> runit;  // supervise/status
  bool restarting = false;  // seen exiting and being started again while watched
  std::optional<Backoff> backoff;  // zsv/backoff, when its run script keeps one
};

// The marks of a row: a stable id (for --json) and the words the table shows.
struct Mark {
  std::string id;
  std::string text;
  bool operator==(const Mark&) const = default;
};
// NOW (unix time) tells a backoff wait that is still on from one that is over.
std::vector<Mark> marks_of(const StatusRow& row, long long now);

// "45s", "3m12s", "2h05m", "4d03h"; "-" when negative.
std::string duration_text(long long seconds);

// One aligned line per row under a header; NOW is the unix time; COLOUR adds ANSI colours.
std::string status_table(const std::vector<StatusRow>& rows, long long now, bool colour);
// The stable JSON of --status --json (documented in the README and zsvgen(8)).
std::string status_json(const std::vector<StatusRow>& rows, long long now);

}  // namespace zsv
