// eval: runs lib/zsv_eval under zsh (Boost.Process), hands it the entries, feeds its
// records to an eval_session::Session, files its stderr under the entry that wrote it,
// and enforces the deadlines: an entry that runs out of time (or stops or kills its
// evaluator) fails alone, the evaluator's process group is killed and a fresh one takes
// the entries that are left. A deadline with no entry current fails the load instead.
#include "eval.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <map>
#include <poll.h>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <fmt/format.h>

#include "eval_session.h"
#include "fsutil.h"
#include "signals.h"

namespace zsv {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int max_restarts = 64;              // per evaluator; each one also fails an entry
constexpr std::size_t max_entry_text = 65536;  // of one entry's stderr, kept for its diagnostic

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

std::string seconds_text(std::chrono::milliseconds t) { return fmt::format("{}", t.count() / 1000.0); }

std::string status_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by SIG{}", ::sigabbrev_np(WTERMSIG(status)));
  return "ended";
}

// What zsvgen sends for one entry (see lib/zsv_eval): a fixed-width header, then the bytes.
void add_entry_input(std::string& into, const SessionEntry& s, const Entry& e, const std::string& check) {
  into += fmt::format("{:>10} {:>16} {:>10} {:>10} {:>12}\n", s.index, s.nonce, e.name.size(), check.size(), e.code.size());
  into += e.name;
  into += check;
  into += e.code;
}

// One zsh running lib/zsv_eval over some entries.
class Evaluator {
 public:
  Evaluator(const std::vector<Entry>& entries, const std::vector<std::string>& reuse, const EvalSettings& s,
            std::vector<std::size_t> todo, Evaluation& ev, int rec_fd)
      : entries_(entries), reuse_(reuse), settings_(s), ev_(ev), session_(ev, s.lib_dir + "/zsv_config"),
        todo_(std::move(todo)), rec_fd_(rec_fd) {}

  ~Evaluator() {
    if (!child_) return;
    ::kill(-pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
    forget_process_group(pid_);
    child_->detach();
  }

  bool done() const { return !child_; }

  // The run is over (the library or zsvrc failed in some evaluator): what zsh said
  // while loading is added to the error, if it says it within a moment.
  void abandon() {
    if (!child_) return;
    for (int i = 0; i < 30 && err_; ++i) {
      pollfd p{err_.get(), POLLIN, 0};
      ::poll(&p, 1, 10);
      absorb_stderr();
    }
    if (ev_.load_detail.empty()) ev_.load_detail = load_text_;
  }
  int in_fd() const { return in_.get(); }
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
                                  settings_.zsvrc, settings_.service_dir, std::to_string(rec_fd_)};
    ::fcntl(in_r.get(), F_SETFL, 0);  // zsh reads it blocking
    {
      TerminationBlock block;
      child_ = std::make_unique<bp::child>(
          settings_.zsh, bp::args(args), bp::posix::fd.bind(0, in_r.get()), bp::posix::fd.bind(1, err_w.get()),
          bp::posix::fd.bind(2, err_w.get()), bp::posix::fd.bind(rec_fd_, out_w.get()),
          bp::extend::on_exec_setup([](auto&) {
            ::setpgid(0, 0);
            unblock_in_child();
          }));
      pid_ = child_->id();
      ::setpgid(pid_, pid_);  // also from here: the group exists before it is tracked
      track_process_group(pid_);
    }
    in_ = std::move(in_w);
    ::fcntl(in_.get(), F_SETFL, O_NONBLOCK);
    out_ = std::move(out_r);
    err_ = std::move(err_r);
    inbuf_.clear();
    inpos_ = 0;
    errbuf_.clear();
    err_entry_.reset();
    std::vector<SessionEntry> mine;
    for (std::size_t i : todo_) mine.push_back({i, nonce(), false});
    given_ = mine;
    session_.start(std::move(mine));
    watched_ = {Session::Phase::load, nullptr};
    deadline_ = Clock::now() + ev_.resolve_timeout;
  }

  // Queues the entries for zsh's stdin.
  void feed() {
    bool resolving = std::any_of(todo_.begin(), todo_.end(), [this](std::size_t i) { return reuse_[i].empty(); });
    inbuf_ = resolving ? "1\n" : "0\n";
    for (SessionEntry& s : given_) {
      s.reused = !reuse_[s.index].empty();
      add_entry_input(inbuf_, s, entries_[s.index], reuse_[s.index]);
    }
    session_.start(given_);
    push_input();
  }

  // Writes what the pipe takes now; closes it when all is written (or zsh has gone).
  void push_input() {
    while (in_ && inpos_ < inbuf_.size()) {
      ssize_t n = ::write(in_.get(), inbuf_.data() + inpos_, inbuf_.size() - inpos_);
      if (n > 0) { inpos_ += static_cast<std::size_t>(n); continue; }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      break;  // EPIPE: zsh died; its records tell the rest
    }
    in_ = Fd();
    std::string().swap(inbuf_);
  }

  // Called when poll says our fds are ready.
  void pump() {
    if (in_) push_input();
    std::string bytes;
    bool open = drain(out_.get(), bytes);
    absorb_stderr();
    bool intact = session_.feed(bytes);
    watch_phase();
    if (!intact) return end_child(false);
    if (!open) end_child(true);
  }

  void check_deadline(Clock::time_point now) {
    if (!child_ || now < deadline_) return;
    absorb_stderr();
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG | WUNTRACED) == pid_ && WIFSTOPPED(st)) {
      session_.fail_current(fmt::format("its code stopped the evaluator (SIG{})", ::sigabbrev_np(WSTOPSIG(st))));
    } else if (const SessionEntry* e = session_.current()) {
      (void)e;
      if (session_.phase() == Session::Phase::check) {
        session_.time_out_check();
      } else {
        session_.fail_current("resolving it took longer than " + seconds_text(ev_.resolve_timeout) + " s");
      }
    } else if (session_.phase() == Session::Phase::done) {
      // All reported; zsh is slow to go (or something it left holds its stdout).
    } else if (!session_.loaded() && !session_.loading().empty()) {
      session_.fail_current("loading it took longer than " + seconds_text(ev_.resolve_timeout) + " s");
    } else {
      session_.fail_current(session_.loaded()
          ? "the evaluator did not begin the entries within " + seconds_text(ev_.resolve_timeout) + " s"
          : "zsh did not begin loading the library within " + seconds_text(ev_.resolve_timeout) + " s");
    }
    end_child(false);
  }

 private:
  static std::string nonce() {
    static std::random_device rd;
    static std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    return fmt::format("{:016x}", gen());
  }

  // A new entry or a new phase: a new deadline.
  void watch_phase() {
    std::pair<Session::Phase, const SessionEntry*> now{session_.phase(), session_.current()};
    if (now == watched_) return;
    watched_ = now;
    bool check = now.first == Session::Phase::check;
    deadline_ = Clock::now() + (check ? ev_.check_timeout : ev_.resolve_timeout);
  }

  // Reads stderr and files its text under the entry whose "\0E<nonce>\0" marker precedes it.
  void absorb_stderr() {
    if (!err_) return;
    if (!drain(err_.get(), errbuf_)) err_ = Fd();
    std::size_t pos = 0;
    for (;;) {
      auto mark = errbuf_.find('\0', pos);
      if (mark == std::string::npos) { add_text(errbuf_.substr(pos)); pos = errbuf_.size(); break; }
      add_text(errbuf_.substr(pos, mark - pos));
      constexpr std::size_t marker = 19;  // \0 E 16-hex \0
      if (errbuf_.size() - mark < marker && err_) { pos = mark; break; }  // not complete yet
      std::optional<std::size_t> who;
      if (errbuf_.size() - mark >= marker && errbuf_[mark + 1] == 'E' && errbuf_[mark + 18] == '\0')
        who = session_.index_of_nonce(errbuf_.substr(mark + 2, 16));
      if (who) { err_entry_ = who; pos = mark + marker; }
      else { add_text(std::string(1, '\0')); pos = mark + 1; }
    }
    errbuf_.erase(0, pos);
  }

  void add_text(const std::string& t) {
    std::string& into = err_entry_ ? entry_text_[*err_entry_] : load_text_;
    if (into.size() < max_entry_text) into += t.substr(0, max_entry_text - into.size());
  }

  // The evaluator is done (AT_EOF: its records ended by themselves) or must be ended:
  // its process group is killed (entries' leftovers with it), and a fresh evaluator
  // takes the entries that are left.
  void end_child(bool at_eof) {
    int status = 0;
    bool exited = false;
    if (at_eof)
      for (int i = 0; i < 100 && !exited; ++i) {  // zsh is exiting: at most 100 ms
        if (::waitpid(pid_, &status, WNOHANG) == pid_) exited = true;
        else ::usleep(1000);
      }
    ::kill(-pid_, SIGKILL);
    if (!exited) while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    forget_process_group(pid_);
    child_->detach();
    child_.reset();
    in_ = Fd();
    out_ = Fd();
    absorb_stderr();
    err_ = Fd();
    if (at_eof && session_.phase() != Session::Phase::done) {
      if (!session_.loaded() && session_.loading().empty())
        session_.fail_current("zsh " + status_text(status) + " before loading the library");
      else if (!session_.loaded())
        session_.fail_current("zsh " + status_text(status) + " while loading it (does it call exit?)");
      else if (session_.current())
        session_.fail_current("the evaluator " + status_text(status) + " while resolving it");
      else
        session_.fail_current("the evaluator " + status_text(status) + " before the entries began");
    }
    if (!ev_.load_error.empty() && ev_.load_detail.empty()) ev_.load_detail = load_text_;
    for (auto& [i, text] : entry_text_) session_.set_output(i, std::move(text));
    entry_text_.clear();
    std::vector<SessionEntry> left = session_.left();
    todo_.clear();
    for (const SessionEntry& e : left) todo_.push_back(e.index);
    if (todo_.empty() || !ev_.load_error.empty()) return;
    if (++restarts_ > max_restarts) {
      for (std::size_t i : todo_)
        ev_.outcomes[i].error = fmt::format("not evaluated: the evaluator was restarted {} times", max_restarts);
      todo_.clear();
      return;
    }
    start();
    feed();
  }

  const std::vector<Entry>& entries_;
  const std::vector<std::string>& reuse_;
  const EvalSettings& settings_;
  Evaluation& ev_;
  Session session_;
  std::vector<std::size_t> todo_;
  std::vector<SessionEntry> given_;
  int rec_fd_;
  int restarts_ = 0;
  std::unique_ptr<bp::child> child_;
  pid_t pid_ = 0;
  Fd in_, out_, err_;
  std::string inbuf_;
  std::size_t inpos_ = 0;
  std::string errbuf_, load_text_;
  std::map<std::size_t, std::string> entry_text_;
  std::optional<std::size_t> err_entry_;
  std::pair<Session::Phase, const SessionEntry*> watched_{Session::Phase::load, nullptr};
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

void run_evaluators(std::vector<std::unique_ptr<Evaluator>>& evs, const Evaluation& ev) {
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Evaluator*> owners;
    Clock::time_point next = Clock::time_point::max();
    for (auto& e : evs) {
      if (e->done()) continue;
      fds.push_back({e->out_fd(), POLLIN, 0});
      fds.push_back({e->err_fd(), POLLIN, 0});  // -1 once closed: poll skips it
      fds.push_back({e->in_fd(), POLLOUT, 0});  // -1 once all is written
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
    if (!ev.load_error.empty()) {
      for (auto& e : evs) e->abandon();
      return;  // the Evaluators' destructors end them
    }
  }
}

// A NUL byte in the zsvrc: zsh would read the file differently from zsvgen (and
// scripts cannot carry it). An error at its line and column; nothing is evaluated.
bool zsvrc_has_nul(const std::string& path, Evaluation& ev) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto nul = text.find('\0');
  if (nul == std::string::npos) return false;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
  auto bol = text.rfind('\n', nul);
  int col = static_cast<int>(nul - (bol == std::string::npos ? 0 : bol + 1)) + 1;
  ev.load_error = "a NUL byte: zsh cannot read it as the file says";
  ev.load_loc = {path, line, col};
  return true;
}

// The records' descriptor: high, and not the same from run to run.
int record_fd() {
  std::random_device rd;
  return 64 + static_cast<int>(rd() % 192);
}

}  // namespace

Evaluation evaluate_entries(const std::vector<Entry>& entries,
                            const std::function<std::vector<std::string>()>& find_reusable,
                            const EvalSettings& settings) {
  Evaluation ev;
  ev.outcomes.resize(entries.size());
  std::vector<std::string> reuse;
  if (entries.empty() || zsvrc_has_nul(settings.zsvrc, ev)) {
    find_reusable();
    return ev;
  }
  int jobs = job_count(settings, entries.size());
  int fd = record_fd();
  // Contiguous slices keep each evaluator's entries in svtab order.
  std::vector<std::unique_ptr<Evaluator>> evs;
  std::size_t per = (entries.size() + jobs - 1) / jobs;
  for (std::size_t start = 0; start < entries.size(); start += per) {
    std::vector<std::size_t> todo;
    for (std::size_t i = start; i < std::min(entries.size(), start + per); ++i) todo.push_back(i);
    evs.push_back(std::make_unique<Evaluator>(entries, reuse, settings, std::move(todo), ev, fd));
  }
  for (auto& e : evs) e->start();
  reuse = find_reusable();
  reuse.resize(entries.size());
  for (auto& e : evs) e->feed();
  run_evaluators(evs, ev);
  return ev;
}

}  // namespace zsv
