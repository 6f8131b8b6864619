// report: what a run did (or would do), for people (one line per action) and for
// programs (--json). Pure: it only formats.
#pragma once
#include <string>
#include <vector>

#include "diag.h"
#include "plan.h"

namespace zsv {

struct Action {
  std::string service;
  std::string kind;    // create, update, restart, remove, up, down, manual
  std::string detail;  // e.g. "run, log/run" or "condition true"
};

std::vector<Action> describe_plan(const Plan& plan);

struct Report {
  std::vector<Action> actions;
  std::vector<Diagnostic> diags;
  std::size_t services = 0;  // services in svtab
  std::size_t failed = 0;    // entries left as they were
  bool dry_run = false;
  int exit_status = 0;
};

// "+ sshd", "~ dhcpcd.eth0 restarted", "- oldsvc", "↑ openntpd (condition true)".
std::string action_line(const Action& a);
// "zsvgen: 12 services; 1 created, 0 changed, ..." (empty when nothing happened and not VERBOSE).
std::string summary_line(const Report& r, bool verbose);
std::string json_report(const Report& r);

// A line diff of OLD and NEW for `-n -v`, unified style without hunks' context counts.
std::string diff_text(const std::string& path, const std::string& old_text, const std::string& new_text);

}  // namespace zsv
