// eval_session: what one evaluator's records mean (lib/zsv_eval's protocol), as a pure
// state machine: records in, outcomes out. It knows which entry is current, so a
// record is taken only from the entry it is about: one carrying another entry's index,
// a wrong nonce, or arriving out of turn is an error for the entry that was current
// when it came (its writer), and the result an earlier entry reported stands.
#pragma once
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eval.h"
#include "eval_records.h"
#include "needs.h"
#include "service_settings.h"

namespace zsv {

// One entry as an evaluator is given it.
struct SessionEntry {
  std::size_t index = 0;  // into Evaluation::outcomes
  std::string nonce;      // 16 hex digits, sent with the entry, echoed in its records
  bool reused = false;    // only its live check is run
};

// The settings zsvrc may set, checked once when the H record comes; empty when they
// are fine, else the first problem (e.g. "zsv_flags: unknown flag 'Z' ...").
std::string check_settings(const std::vector<std::string>& fields, Evaluation& ev);

class Session {
 public:
  enum class Phase { load, between, resolve, check, done };

  Session(Evaluation& ev, std::string lib_config, SystemNames names = real_system_names())
      : ev_(ev), lib_config_(std::move(lib_config)), system_names_(std::move(names)) {}

  // A fresh evaluator takes TODO, in order.
  void start(std::vector<SessionEntry> todo);
  // Bytes from the records' descriptor. False once the stream is broken: the current
  // entry (or the load) has been failed, and the evaluator must be ended.
  bool feed(std::string_view bytes);

  Phase phase() const { return phase_; }
  // The entry being evaluated, if any.
  const SessionEntry* current() const { return cur_ < todo_.size() && in_turn() ? &todo_[cur_] : nullptr; }
  // Entries given to this evaluator that have no outcome yet (the current one first).
  std::vector<SessionEntry> left() const;
  // The entry a stderr marker's nonce names, if it is one of ours.
  std::optional<std::size_t> index_of_nonce(const std::string& nonce) const;
  // The file being loaded when the evaluator ended (empty before the first L).
  const std::string& loading() const { return loading_; }
  bool loaded() const { return phase_ != Phase::load; }

  // The evaluator ended or was ended with WHY: the current entry fails, or the load.
  void fail_current(const std::string& why);
  // The current entry's check ran out of time: it counts as false; the next one is due.
  void time_out_check();
  // Text an entry's code wrote on stderr, kept for its diagnostic.
  void set_output(std::size_t index, std::string text) { ev_.outcomes[index].output = std::move(text); }

 private:
  bool in_turn() const { return phase_ == Phase::resolve || phase_ == Phase::check; }
  void take(Record& r);
  void take_load(Record& r);
  void take_entry(Record& r);
  void take_report(const std::string& body);
  void take_status(const std::string& status);
  void begin_next();
  void not_its_own(const Record& r);
  void load_failed(std::string file, std::string message);

  Evaluation& ev_;
  std::string lib_config_;
  SystemNames system_names_;  // what user, group, chdir and chroot are checked against
  RecordReader reader_;
  std::vector<SessionEntry> todo_;
  std::size_t cur_ = 0;
  Phase phase_ = Phase::load;
  std::string loading_;
  ShellDefs base_;  // the library's and zsvrc's definitions, from the D records
  std::set<std::string> untouched_;  // library functions zsvrc left as they were (G)
  bool got_report_ = false;
};

}  // namespace zsv
