// generators: `prefix.*` entries expanded into their instances (SPEC §4). Pure: the
// generators, what each one's zsv_instances_PREFIX gave this run and which live
// services came from each in; the instances' entries, the services left as they are
// and the diagnostics out. instances.h obtains the lists (zsh, or zsvgen itself).
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "diag.h"
#include "svtab.h"

namespace zsv {

// What one generator's zsv_instances_PREFIX gave this run.
struct InstanceList {
  bool ok = false;
  std::string output;  // what it printed on stdout: one instance a line
  std::string error;   // when !ok, why: "zsv_instances_dhcpcd failed with status 3"
  std::string detail;  // what it wrote on stderr, for the diagnostic
};

struct Expansion {
  std::vector<Entry> instances;        // in generator order, each generator's by name
  std::set<std::string> keep;          // live instances of a generator that failed: left as they are
  std::vector<Diagnostic> diags;
  std::vector<std::string> failed;     // generators that failed and instance names refused
};

// The name of the function that lists GENERATOR's instances: "zsv_instances_dhcpcd".
std::string instances_function(const Entry& generator);

// Each line of a generator's output is an instance: prefix.LINE, an entry with the
// generator's flags, code and location. An empty line is none; a line printed twice is
// one instance; an instance an explicit entry (EXPLICIT) has the name of is that entry.
// A name that breaks the name rule is an error for that instance, at the generator's
// line. A generator whose list is not ok (missing from LISTS too) keeps the live
// services whose zsv/generator names it (LIVE_ORIGIN: service name -> generator name).
Expansion expand_generators(const std::vector<Entry>& generators, const std::vector<Entry>& explicit_entries,
                            const std::map<std::string, InstanceList>& lists,
                            const std::map<std::string, std::string>& live_origin);

}  // namespace zsv
