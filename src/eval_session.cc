// eval_session: the meaning of the records, and who each one is charged to.
#include "eval_session.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "native_rule.h"

namespace zsv {

namespace {

constexpr double max_timeout_seconds = 3600;

// "10", "2.5": seconds, positive and at most an hour.
std::optional<std::chrono::milliseconds> seconds_value(const std::string& s) {
  static const std::regex number(R"([0-9]{1,6}(\.[0-9]{1,6})?)");
  if (!std::regex_match(s, number)) return std::nullopt;
  double v = std::stod(s);
  if (!(v > 0) || v > max_timeout_seconds) return std::nullopt;
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(v * 1000)));
}

bool is_decimal(const std::string& s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void add_defs(ShellDefs& defs, const Record& d) {
  if (d.fields[0] == "f") defs.functions.insert_or_assign(d.fields[1], make_shell_function(d.fields[2]));
  else defs.variables.insert_or_assign(d.fields[1], d.fields[2]);
}

bool is_definition(const Record& r) {
  return r.tag == 'D' && r.fields.size() == 3 && (r.fields[0] == "f" || r.fields[0] == "v");
}

}  // namespace

std::string check_settings(const std::vector<std::string>& fields, Evaluation& ev) {
  if (fields.size() % 2 != 0) return "the evaluator's settings record is malformed";
  std::map<std::string, std::string> set;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) set[fields[i]] = fields[i + 1];
  if (auto it = set.find("zsv_flags"); it != set.end())
    for (char c : it->second)
      if (!is_known_flag(c))
        return fmt::format("zsv_flags: unknown flag '{}' (known flags: {})",
                           static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f
                               ? fmt::format("\\x{:02x}", static_cast<unsigned char>(c)) : std::string(1, c),
                           known_flag_letters());
  if (auto it = set.find("zsv_post_apply_dir"); it != set.end()) ev.post_apply_dir = it->second;
  if (auto it = set.find("zsv_post_apply_timeout"); it != set.end()) {
    auto v = seconds_value(it->second);
    if (!v)
      return fmt::format("zsv_post_apply_timeout: '{}' is not a number of seconds above 0 and at most {}",
                         it->second.substr(0, 40), max_timeout_seconds);
    ev.post_apply_timeout = *v;
  }
  for (auto [name, into] : {std::pair{"zsv_resolve_timeout", &ev.resolve_timeout},
                            std::pair{"zsv_check_timeout", &ev.check_timeout}}) {
    auto it = set.find(name);
    if (it == set.end()) continue;
    auto v = seconds_value(it->second);
    if (!v)
      return fmt::format("{}: '{}' is not a number of seconds above 0 and at most {}", name,
                         it->second.substr(0, 40), max_timeout_seconds);
    *into = *v;
  }
  if (!set.count("zsv_logroot")) return "zsv_logroot is not set: the loggers would have nowhere to write";
  for (const char* name : {"zsv_logroot", "zsv_sysfs", "zsv_procfs"}) {
    auto it = set.find(name);
    if (it != set.end() && (it->second.empty() || it->second.front() != '/'))
      return fmt::format("{}: '{}' is not an absolute path", name, it->second.substr(0, 200));
  }
  return "";
}

void Session::start(std::vector<SessionEntry> todo) {
  todo_ = std::move(todo);
  cur_ = 0;
  phase_ = Phase::load;
  loading_.clear();
  reader_ = RecordReader();
  got_report_ = false;
}

std::vector<SessionEntry> Session::left() const {
  std::size_t from = std::min(cur_, todo_.size());
  return {todo_.begin() + static_cast<std::ptrdiff_t>(from), todo_.end()};
}

std::optional<std::size_t> Session::index_of_nonce(const std::string& nonce) const {
  for (const SessionEntry& e : todo_)
    if (e.nonce == nonce) return e.index;
  return std::nullopt;
}

bool Session::feed(std::string_view bytes) {
  reader_.feed(bytes);
  Record r;
  for (;;) {
    switch (reader_.next(r)) {
      case RecordReader::Status::record: take(r); break;
      case RecordReader::Status::need_more: return true;
      case RecordReader::Status::malformed:
        fail_current(in_turn() ? "it wrote malformed records into the evaluator's descriptor (" + reader_.why() + ")"
                               : "the evaluator's records are malformed (" + reader_.why() + ")");
        return false;
    }
  }
}

void Session::take(Record& r) {
  if (phase_ == Phase::load || phase_ == Phase::between) take_load(r);
  else if (in_turn()) take_entry(r);
  // Records after the last entry come from processes an entry left behind: no one's.
}

void Session::load_failed(std::string file, std::string message) {
  if (ev_.load_error.empty()) {
    ev_.load_error = std::move(message);
    ev_.load_loc = {file.empty() ? lib_config_ : std::move(file), 0, 0};
  }
  phase_ = Phase::done;
  cur_ = todo_.size();
}

void Session::take_load(Record& r) {
  std::size_t n = r.fields.size();
  if (r.tag == 'L' && n == 1 && phase_ == Phase::load) {
    loading_ = r.fields[0];
  } else if (r.tag == 'Z' && n == 2 && phase_ == Phase::load) {
    load_failed(r.fields[0], "cannot load it: " + r.fields[1]);
  } else if (r.tag == 'H' && phase_ == Phase::load) {
    std::string problem = check_settings(r.fields, ev_);
    if (!problem.empty()) return load_failed(loading_, problem);
    phase_ = Phase::between;
  } else if (is_definition(r) && phase_ == Phase::between) {
    add_defs(base_, r);
  } else if (r.tag == 'G' && n == 1 && phase_ == Phase::between) {
    untouched_.clear();
    const std::string& names = r.fields[0];
    for (std::size_t p = 0, e; p < names.size(); p = e + 1) {
      e = std::min(names.find(' ', p), names.size());
      if (e > p) untouched_.insert(names.substr(p, e - p));
    }
  } else if (r.tag == 'S' && n == 0 && phase_ == Phase::between) {
    cur_ = 0;
    begin_next();
  } else {
    load_failed(loading_, fmt::format("the evaluator wrote an unexpected record '{}' while loading", r.tag));
  }
}

// An entry-phase record that is not the current entry's, in its turn: charged to the
// current entry, whose code is the only one running; no other result changes.
void Session::not_its_own(const Record& r) {
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  if (o.error.empty())
    o.error = fmt::format("its code wrote a record '{}' that is not its own into the evaluator's descriptor", r.tag);
  o.resolved.reset();
}

void Session::take_entry(Record& r) {
  const SessionEntry& e = todo_[cur_];
  bool ours = r.fields.size() == 3 && r.fields[0] == std::to_string(e.index) && r.fields[1] == e.nonce;
  if (!ours || (r.tag != 'R' && r.tag != 'C')) return not_its_own(r);
  if (r.tag == 'C') return take_status(r.fields[2]);
  if (got_report_ || phase_ != Phase::resolve || e.reused) return not_its_own(r);
  got_report_ = true;
  take_report(r.fields[2]);
}

void Session::take_report(const std::string& body) {
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  std::vector<Record> recs;
  std::string why;
  if (!parse_records(body, recs, why) || recs.empty()) {
    o.error = "its report is malformed (" + (why.empty() ? std::string("empty") : why) + ")";
    return;
  }
  if (recs[0].tag == 'X' && recs.size() == 1 && recs[0].fields.size() == 1) {
    if (o.error.empty()) o.error = recs[0].fields[0];
    return;
  }
  if (recs[0].tag != 'R' || recs[0].fields.size() != 4 || recs.size() < 2 || recs[1].tag != 'T' ||
      !std::all_of(recs.begin() + 2, recs.end(), is_definition)) {
    o.error = "its report is malformed (unexpected records)";
    return;
  }
  phase_ = Phase::check;
  Resolved res;
  res.default_flags = recs[0].fields[0];
  res.runf = recs[0].fields[1];
  res.logf = recs[0].fields[2];
  res.checkf = recs[0].fields[3];
  ShellDefs mine;
  for (auto it = recs.begin() + 2; it != recs.end(); ++it) add_defs(mine, *it);
  std::string bad = parse_service_settings(recs[1].fields, res.settings);
  if (bad.empty()) bad = check_against_system(res.settings, system_names_);
  if (bad.empty() && wraps_run(res.settings) && !need_names(res.runf, base_, mine).variables.count("run"))
    bad = fmt::format("user, group, env, chroot and nice wrap the command in $run, which runf '{}' does not use", res.runf);
  if (!bad.empty()) {
    if (o.error.empty()) o.error = bad;
    return;
  }
  res.run_prelude = run_prelude(res.settings);
  // The prelude calls zsv_backoff and names $run, which runf reaches when it wraps it.
  res.run = script_needs(res.settings.backoff_max > 0 ? "zsv_backoff " + res.runf : res.runf, base_, mine);
  res.log = script_needs(res.logf, base_, mine);
  res.check = script_needs(res.checkf, base_, mine);
  if (!res.settings.ready.empty()) res.ready = script_needs(res.settings.ready, base_, mine);
  if (auto n = native_condition(res.checkf, base_, mine, untouched_)) res.native = native_text(*n);
  if (o.error.empty()) o.resolved = std::make_shared<const Resolved>(std::move(res));
}

void Session::take_status(const std::string& text) {
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  int status = is_decimal(text) ? std::stoi(text) : -1;
  if (!o.error.empty()) {
    o.resolved.reset();
  } else if (o.reused || o.resolved) {
    o.condition = status == 0;
  } else {
    o.error = fmt::format("its code ended the shell (status {}) before it was resolved", status);
  }
  ++cur_;
  begin_next();
}

// The evaluator takes its entries in order, one right after the other: the next one
// has begun as soon as the previous one's status came (or S, for the first).
void Session::begin_next() {
  got_report_ = false;
  if (cur_ >= todo_.size()) {
    phase_ = Phase::done;
    return;
  }
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  o = Outcome{};
  o.reused = todo_[cur_].reused;
  phase_ = o.reused ? Phase::check : Phase::resolve;
}

void Session::fail_current(const std::string& why) {
  if (phase_ == Phase::load || phase_ == Phase::between) return load_failed(loading_, why);
  if (!in_turn()) return;
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  o.resolved.reset();
  if (o.error.empty()) o.error = why;
  ++cur_;
  phase_ = Phase::done;  // this evaluator is ended; a fresh one takes what is left
}

void Session::time_out_check() {
  if (phase_ != Phase::check) return;
  Outcome& o = ev_.outcomes[todo_[cur_].index];
  o.check_timed_out = true;
  o.condition = false;
  ++cur_;
  phase_ = Phase::done;
}

}  // namespace zsv
