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

// One file's diff in a dry run with -v: what `-n -v` prints, for --json too.
struct FileDiff {
  std::string service;
  std::string path;  // in the service directory, e.g. "run" or "log/run"
  std::string diff;  // diff_text's lines
};

struct Report {
  std::vector<Action> actions;
  std::vector<Diagnostic> diags;
  std::size_t services = 0;  // services in svtab
  std::size_t failed = 0;    // entries left as they were
  std::vector<std::string> failed_services;  // their names
  std::vector<FileDiff> diffs;  // -n -v only
  bool dry_run = false;
  int exit_status = 0;
};

// The services of R's actions by what happens to them, the words of the post-apply
// hooks' ZSV_* variables: created, changed (files rewritten), restarted, removed,
// started (condition true, or created up), stopped (condition false). Sorted, unique.
struct ActionNames {
  std::vector<std::string> created, changed, restarted, removed, started, stopped;
};
ActionNames names_by_action(const std::vector<Action>& actions);

// The version of json_report's format, raised when a field changes meaning or goes
// away (new fields may be added within a version). Tools check it (README "--json").
constexpr int json_report_version = 1;

// "+ sshd", "~ dhcpcd.eth0 restarted", "- oldsvc", "↑ openntpd (condition true)".
std::string action_line(const Action& a);
// "zsvgen: 12 services; 1 created, 0 changed, ..." (empty when nothing happened and not VERBOSE).
std::string summary_line(const Report& r, bool verbose);
std::string json_report(const Report& r);

// A line diff of OLD and NEW for `-n -v`, unified style without hunks' context counts.
std::string diff_text(const std::string& path, const std::string& old_text, const std::string& new_text);

}  // namespace zsv
