// eval: runs lib/zsv_eval under zsh (Boost.Process), reads its records, enforces the
// resolve and check timeouts by killing the evaluator's process group and starting a
// fresh one for the entries that are left.
#include "eval.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <fmt/format.h>

#include "fsutil.h"
#include "needs.h"

namespace zsv {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

namespace {

// Field counts of each record kind after its tag (see lib/zsv_eval).
std::size_t record_fields(char tag) {
  switch (tag) {
    case 'H': return 3;
    case 'G': return 2;
    case 'S': return 1;
    case 'Z': return 1;
    case 'X': return 2;
    case 'R': return 7;
    case 'C': return 2;
    default: return 0;
  }
}

struct Record {
  char tag = 0;
  std::vector<std::string> fields;
};

// Splits complete records off the front of BUF.
std::vector<Record> take_records(std::string& buf) {
  std::vector<Record> out;
  std::size_t pos = 0;
  for (;;) {
    auto tag_end = buf.find('\0', pos);
    if (tag_end == std::string::npos || tag_end != pos + 1) break;
    Record r{buf[pos], {}};
    std::size_t want = record_fields(r.tag), p = tag_end + 1;
    if (want == 0) throw std::runtime_error(fmt::format("zsv_eval: unknown record '{}'", r.tag));
    while (r.fields.size() < want) {
      auto e = buf.find('\0', p);
      if (e == std::string::npos) break;
      r.fields.push_back(buf.substr(p, e - p));
      p = e + 1;
    }
    if (r.fields.size() < want) break;
    out.push_back(std::move(r));
    pos = p;
  }
  buf.erase(0, pos);
  return out;
}

// Reads what is there on a non-blocking fd; false at end of file.
bool drain(int fd, std::string& into) {
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) { into.append(chunk, static_cast<std::size_t>(n)); continue; }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    throw SystemError("read from zsh", errno);
  }
}

std::pair<Fd, Fd> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw SystemError("pipe", errno);
  ::fcntl(p[0], F_SETFL, O_NONBLOCK);
  return {Fd(p[0]), Fd(p[1])};
}

std::chrono::milliseconds seconds_field(const std::string& s, std::chrono::milliseconds fallback) {
  try {
    double v = std::stod(s);
    if (v > 0) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  } catch (const std::exception&) {
  }
  return fallback;
}

// One zsh running lib/zsv_eval over a list of entry indexes.
class Evaluator {
 public:
  Evaluator(const std::vector<Entry>& entries, const std::vector<std::string>& reuse, const EvalSettings& s,
            std::vector<std::size_t> todo, Evaluation& ev)
      : entries_(entries), reuse_(reuse), settings_(s), todo_(std::move(todo)), ev_(ev) {}

  int in_fd() const { return in_.get(); }

  bool done() const { return todo_.empty() && !child_; }
  int out_fd() const { return out_.get(); }
  int err_fd() const { return err_.get(); }
  Clock::time_point deadline() const { return deadline_; }

  // Starts zsh on the library; the entries follow on its stdin (feed), so that zsh
  // loads the library while zsvgen reads the live tree.
  void start() {
    auto [in_r, in_w] = make_pipe();
    auto [out_r, out_w] = make_pipe();
    auto [err_r, err_w] = make_pipe();
    std::vector<std::string> args{"-f", settings_.lib_dir + "/zsv_eval", settings_.lib_dir,
                                  settings_.zsvrc, settings_.service_dir};
    ::fcntl(in_r.get(), F_SETFL, 0);  // zsh reads it blocking
    child_ = std::make_unique<bp::child>(
        settings_.zsh, bp::args(args), bp::posix::fd.bind(0, in_r.get()),
        bp::posix::fd.bind(1, out_w.get()), bp::posix::fd.bind(2, err_w.get()),
        bp::extend::on_exec_setup([](auto&) { ::setpgid(0, 0); }));
    in_ = std::move(in_w);
    ::fcntl(in_.get(), F_SETFL, O_NONBLOCK);
    out_ = std::move(out_r);
    err_ = std::move(err_r);
    inbuf_.clear();
    inpos_ = 0;
    current_.reset();
    phase_ = Phase::load;
    deadline_ = Clock::now() + ev_.resolve_timeout;
  }

  // Queues the entries for zsh's stdin: INDEX, NAME, CHECK, CODE of each, NUL-separated.
  void feed() {
    auto add = [this](const std::string& field) {
      if (!inbuf_.empty()) inbuf_ += '\0';
      inbuf_ += field;
    };
    bool resolving = std::any_of(todo_.begin(), todo_.end(), [this](std::size_t i) { return reuse_[i].empty(); });
    add(resolving ? "1" : "0");
    for (std::size_t i : todo_) {
      add(std::to_string(i));
      add(entries_[i].name);
      add(reuse_[i]);
      add(entries_[i].code);
    }
    push_input();
  }

  // Writes what the pipe takes now; closes it when all is written (or zsh has gone).
  void push_input() {
    while (in_ && inpos_ < inbuf_.size()) {
      ssize_t n = ::write(in_.get(), inbuf_.data() + inpos_, inbuf_.size() - inpos_);
      if (n > 0) { inpos_ += static_cast<std::size_t>(n); continue; }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      break;  // EPIPE: zsh died; its stdout tells the rest
    }
    in_ = Fd();
  }

  // Called when poll says our fds are readable (or on a deadline).
  void pump() {
    if (in_) push_input();
    bool open = drain(out_.get(), buf_);
    absorb_stderr();
    for (Record& r : take_records(buf_)) handle(r);
    if (!open) finish_child();
  }

  void check_deadline(Clock::time_point now) {
    if (!child_ || now < deadline_) return;
    kill_child();
    if (current_) {
      Outcome& o = ev_.outcomes[*current_];
      if (phase_ == Phase::check) {
        o.check_timed_out = true;
        o.condition = false;
      } else {
        o.resolved.reset();
        o.error = fmt::format("resolving it took longer than {} s", ev_.resolve_timeout.count() / 1000.0);
      }
      o.output = take_stderr(*current_);
      erase_todo(*current_);
    } else if (phase_ == Phase::load) {
      ev_.load_error = "loading the library and zsvrc took too long";
      todo_.clear();
    }
    restart_if_needed();
  }

 private:
  enum class Phase { load, resolve, check, between };

  void handle(Record& r) {
    switch (r.tag) {
      case 'H':
        ev_.resolve_timeout = seconds_field(r.fields[1], ev_.resolve_timeout);
        ev_.check_timeout = seconds_field(r.fields[2], ev_.check_timeout);
        phase_ = Phase::between;
        break;
      case 'G':
        base_ = ShellDefs{};
        for (auto& [name, body] : parse_defs_block(r.fields[0]))
          base_.functions.emplace(name, make_shell_function(std::move(body)));
        for (auto& [name, decl] : parse_defs_block(r.fields[1])) base_.variables.emplace(name, std::move(decl));
        break;
      case 'S':
        begin_next();
        break;
      case 'Z':
        absorb_stderr();
        ev_.load_error = r.fields[0] + (load_text_.empty() ? "" : ":\n" + load_text_);
        todo_.clear();
        break;
      case 'X':
        ev_.outcomes[std::stoul(r.fields[0])].error = r.fields[1];
        break;
      case 'R': take_resolved(r); break;
      case 'C': take_status(r); break;
    }
  }

  void take_resolved(const Record& r) {
    Resolved res;
    const auto& f = r.fields;
    res.default_flags = f[1];
    res.runf = f[2];
    res.logf = f[3];
    res.checkf = f[4];
    ShellDefs mine;
    for (auto& [name, decl] : parse_defs_block(f[5])) mine.variables.emplace(name, std::move(decl));
    for (auto& [name, body] : parse_defs_block(f[6]))
      mine.functions.emplace(name, make_shell_function(std::move(body)));
    res.run = script_needs(res.runf, base_, mine);
    res.log = script_needs(res.logf, base_, mine);
    res.check = script_needs(res.checkf, base_, mine);
    ev_.outcomes[std::stoul(f[0])].resolved = std::move(res);
    phase_ = Phase::check;
    deadline_ = Clock::now() + ev_.check_timeout;
  }

  void take_status(const Record& r) {
    std::size_t i = std::stoul(r.fields[0]);
    int status = std::stoi(r.fields[1]);
    Outcome& o = ev_.outcomes[i];
    absorb_stderr();
    o.output = take_stderr(i);
    if (!o.error.empty()) {
      o.resolved.reset();
    } else if (o.reused) {
      o.condition = status == 0;
    } else if (!o.resolved) {
      o.error = fmt::format("its code ended the shell (status {}) before it was resolved", status);
    } else {
      o.condition = status == 0;
    }
    erase_todo(i);
    begin_next();
  }

  // The evaluator takes its entries in order, one right after the other: the next one
  // has begun as soon as the previous one's status came (or S, for the first).
  void begin_next() {
    if (todo_.empty()) {
      current_.reset();
      phase_ = Phase::between;
      return;
    }
    current_ = todo_.front();
    Outcome& o = ev_.outcomes[*current_];
    o = Outcome{};
    o.reused = !reuse_[*current_].empty();
    phase_ = o.reused ? Phase::check : Phase::resolve;
    deadline_ = Clock::now() + (o.reused ? ev_.check_timeout : ev_.resolve_timeout);
  }

  // Reads stderr and files its text under the entry whose "\0E<index>\0" marker precedes it.
  void absorb_stderr() {
    if (!err_) return;
    drain(err_.get(), errbuf_);
    std::size_t pos = 0;
    for (;;) {
      auto mark = errbuf_.find('\0', pos);
      std::string& into = err_entry_ ? entry_text_[*err_entry_] : load_text_;
      if (mark == std::string::npos) { into += errbuf_.substr(pos); pos = errbuf_.size(); break; }
      into += errbuf_.substr(pos, mark - pos);
      auto end = errbuf_.find('\0', mark + 1);
      if (end == std::string::npos) { pos = mark; break; }  // marker not complete yet
      if (errbuf_[mark + 1] == 'E') err_entry_ = std::stoul(errbuf_.substr(mark + 2, end - mark - 2));
      pos = end + 1;
    }
    errbuf_.erase(0, pos);
  }

  std::string take_stderr(std::size_t i) {
    absorb_stderr();
    std::string t = std::move(entry_text_[i]);
    entry_text_.erase(i);
    return t;
  }

  void erase_todo(std::size_t i) { todo_.erase(std::remove(todo_.begin(), todo_.end(), i), todo_.end()); }

  void kill_child() {
    ::kill(-child_->id(), SIGKILL);
    reap();
  }

  void reap() {
    std::error_code ec;
    child_->wait(ec);
    child_.reset();
    in_ = Fd();
    out_ = Fd();
    err_ = Fd();
    buf_.clear();
    errbuf_.clear();
    err_entry_.reset();
  }

  // The evaluator's stdout closed: it finished, or died under an entry.
  void finish_child() {
    // Background processes an entry left behind may hold stderr open: do not wait for them.
    ::kill(-child_->id(), SIGKILL);
    reap();
    if (current_) {
      Outcome& o = ev_.outcomes[*current_];
      o.resolved.reset();
      if (o.error.empty()) o.error = "the evaluator died while resolving it";
      o.output = take_stderr(*current_);
      erase_todo(*current_);
    } else if (phase_ == Phase::load && ev_.load_error.empty()) {
      ev_.load_error = "zsh failed before loading the library" + (load_text_.empty() ? "" : ":\n" + load_text_);
      todo_.clear();
    }
    restart_if_needed();
  }

  void restart_if_needed() {
    if (todo_.empty() || !ev_.load_error.empty()) return;
    start();
    feed();
  }

  const std::vector<Entry>& entries_;
  const std::vector<std::string>& reuse_;
  const EvalSettings& settings_;
  std::vector<std::size_t> todo_;
  Evaluation& ev_;
  std::unique_ptr<bp::child> child_;
  ShellDefs base_;  // the library's and zsvrc's definitions, from the G record
  Fd in_, out_, err_;
  std::string inbuf_;
  std::size_t inpos_ = 0;
  std::string buf_, errbuf_, load_text_;
  std::map<std::size_t, std::string> entry_text_;
  std::optional<std::size_t> err_entry_;
  std::optional<std::size_t> current_;
  Phase phase_ = Phase::load;
  Clock::time_point deadline_;
};

int job_count(const EvalSettings& s, std::size_t entries) {
  if (s.jobs > 0) return s.jobs;
  // A zsh start and the library load cost about as much as a dozen entries: do not
  // start an evaluator for fewer than that.
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int by_size = static_cast<int>(entries / 12) + 1;
  return std::max(1, std::min(cores, by_size));
}

void run_evaluators(std::vector<std::unique_ptr<Evaluator>>& evs) {
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Evaluator*> owners;
    Clock::time_point next = Clock::time_point::max();
    for (auto& e : evs) {
      if (e->done()) continue;
      fds.push_back({e->out_fd(), POLLIN, 0});
      fds.push_back({e->err_fd(), POLLIN, 0});
      fds.push_back({e->in_fd(), POLLOUT, 0});  // -1 once all is written: poll skips it
      owners.push_back(e.get());
      next = std::min(next, e->deadline());
    }
    if (owners.empty()) return;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long long>(wait + 1, 0, 60000)));
    if (n < 0 && errno != EINTR) throw SystemError("poll", errno);
    for (std::size_t k = 0; k < owners.size(); ++k)
      if (fds[3 * k].revents != 0 || fds[3 * k + 1].revents != 0 || fds[3 * k + 2].revents != 0)
        owners[k]->pump();
    auto now = Clock::now();
    for (Evaluator* e : owners) e->check_deadline(now);
  }
}

}  // namespace

Evaluation evaluate_entries(const std::vector<Entry>& entries,
                            const std::function<std::vector<std::string>()>& find_reusable,
                            const EvalSettings& settings) {
  Evaluation ev;
  ev.outcomes.resize(entries.size());
  std::vector<std::string> reuse;
  if (entries.empty()) {
    find_reusable();
    return ev;
  }
  int jobs = job_count(settings, entries.size());
  // Contiguous slices keep each evaluator's entries in svtab order.
  std::vector<std::unique_ptr<Evaluator>> evs;
  std::size_t per = (entries.size() + jobs - 1) / jobs;
  for (std::size_t start = 0; start < entries.size(); start += per) {
    std::vector<std::size_t> todo;
    for (std::size_t i = start; i < std::min(entries.size(), start + per); ++i) todo.push_back(i);
    evs.push_back(std::make_unique<Evaluator>(entries, reuse, settings, std::move(todo), ev));
  }
  for (auto& e : evs) e->start();
  reuse = find_reusable();
  reuse.resize(entries.size());
  for (auto& e : evs) e->feed();
  run_evaluators(evs);
  return ev;
}

}  // namespace zsv
