// Tests for runit: status decoding, and control of a real runsv on a temporary service.
#include "runit.h"
#include "stop.h"

#include "fsutil.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;
using namespace zsv;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// 20 status bytes as runsv writes them.
std::string status_bytes(uint64_t tai, uint32_t nano, uint32_t pid, char paused, char want, char term,
                         char state) {
  std::string b(20, '\0');
  for (int i = 7; i >= 0; --i, tai >>= 8) b[i] = static_cast<char>(tai & 0xff);
  for (int i = 11; i >= 8; --i, nano >>= 8) b[i] = static_cast<char>(nano & 0xff);
  for (int i = 12; i < 16; ++i, pid >>= 8) b[i] = static_cast<char>(pid & 0xff);
  b[16] = paused;
  b[17] = want;
  b[18] = term;
  b[19] = state;
  return b;
}

constexpr uint64_t tai_epoch = (uint64_t{1} << 62) + 10;

template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

bool process_gone(pid_t pid) { return kill(pid, 0) == -1 && errno == ESRCH; }

void write_script(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  chmod(path.c_str(), 0755);
}

// A temporary service directory with a run script (and optionally log/run).
struct ServiceDir {
  std::string root, dir;
  explicit ServiceDir(const std::string& run, const std::string& log_run = "") {
    char tmpl[] = "/tmp/zsv-runit-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    root = tmpl;
    dir = root + "/svc";
    fs::create_directory(dir);
    write_script(dir + "/run", run);
    if (!log_run.empty()) {
      fs::create_directory(dir + "/log");
      write_script(dir + "/log/run", log_run);
    }
  }
  ~ServiceDir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

// A runsv we started on DIR. The destructor kills it and what it supervised, and reaps
// it, whatever the test did, so no process outlives the test.
struct Runsv {
  std::string dir;
  pid_t pid = -1;
  bool reaped = false;
  explicit Runsv(std::string d) : dir(std::move(d)) {
    char* argv[] = {const_cast<char*>("runsv"), dir.data(), nullptr};
    REQUIRE(posix_spawn(&pid, "/usr/bin/runsv", nullptr, nullptr, argv, environ) == 0);
  }
  ~Runsv() {
    if (!reaped) {
      // Take the services down first so that runsv itself reaps them; killing runsv
      // first would leave them running as orphans.
      for (const std::string& s : {dir, dir + "/log"}) kill_service(s, true);
      wait_for([&] { return all_down(); }, 1000ms);
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    for (const std::string& s : {dir, dir + "/log"}) kill_service(s, false);  // last resort
  }
  void kill_service(const std::string& service, bool tell_runsv) {
    try {
      if (tell_runsv) send_control(service, 'd');
      if (auto st = read_status(service); st && st->pid > 0) kill(st->pid, SIGKILL);
    } catch (...) {
    }
  }
  bool all_down() {
    for (const std::string& s : {dir, dir + "/log"}) {
      auto st = read_status(s);
      if (st && st->pid != 0) return false;
    }
    return true;
  }
  // Waits (bounded) for runsv to exit by itself; true with its exit status 0.
  bool reap(std::chrono::milliseconds timeout) {
    int status = 0;
    bool done = wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
    reaped = done;
    return done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  // The running service's pid, waiting (bounded) for runsv to start it; 0 on timeout.
  pid_t wait_up(const std::string& service, std::chrono::milliseconds timeout = 3000ms) {
    pid_t up = 0;
    wait_for([&] {
      auto s = read_status(service);
      up = s && s->state == 1 ? s->pid : 0;
      return up > 0;
    }, timeout);
    return up;
  }
};

bool is_down(const std::string& service) {
  auto s = read_status(service);
  return s && s->pid == 0 && s->state == 0;
}

}  // namespace

TEST_CASE("decode_status reads runsv's 20-byte layout") {
  struct Row {
    const char* name;
    std::string bytes;
    std::optional<ServiceStatus> want;
  };
  auto st = [](pid_t pid, bool paused, char want, bool term, int state, long long since) {
    ServiceStatus s;
    s.pid = pid, s.paused = paused, s.want = want, s.got_term = term, s.state = state, s.since = since;
    return std::optional<ServiceStatus>(s);
  };
  const std::vector<Row> rows = {
      {"running", status_bytes(tai_epoch + 1700000000, 5, 4242, 0, 'u', 0, 1), st(4242, false, 'u', false, 1, 1700000000)},
      {"down", status_bytes(tai_epoch + 1, 0, 0, 0, 'd', 0, 0), st(0, false, 'd', false, 0, 1)},
      {"finishing after TERM", status_bytes(tai_epoch + 99, 0, 7, 0, 'd', 1, 2), st(7, false, 'd', true, 2, 99)},
      {"paused", status_bytes(tai_epoch, 0, 0x01020304, 1, 'u', 0, 1), st(0x01020304, true, 'u', false, 1, 0)},
      {"pid is little-endian", status_bytes(tai_epoch, 0, 0x00ff00fe, 0, 'u', 0, 1), st(0x00ff00fe, false, 'u', false, 1, 0)},
      {"want unknown", status_bytes(tai_epoch + 5, 0, 0, 0, 0, 0, 0), st(0, false, 0, false, 0, 5)},
      {"too short", std::string(19, '\0'), std::nullopt},
      {"too long", std::string(21, '\0'), std::nullopt},
      {"empty", "", std::nullopt},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    auto got = decode_status(r.bytes);
    REQUIRE(got.has_value() == r.want.has_value());
    if (!got) continue;
    CHECK(got->pid == r.want->pid);
    CHECK(got->paused == r.want->paused);
    CHECK(got->want == r.want->want);
    CHECK(got->got_term == r.want->got_term);
    CHECK(got->state == r.want->state);
    CHECK(got->since == r.want->since);
  }
}

TEST_CASE("without a runsv nothing blocks and nothing is sent") {
  ServiceDir sd("#!/bin/sh\nexec sleep 1000\n");
  // Never supervised: no supervise/ at all.
  CHECK(send_control(sd.dir, 'u') == ControlResult::no_runsv);
  CHECK_FALSE(runsv_present(sd.dir));
  CHECK(read_status(sd.dir) == std::nullopt);
  CHECK(wait_runsv_gone(sd.dir, 0ms));
  // A control FIFO left behind by a dead runsv: opening it for writing would block.
  fs::create_directory(sd.dir + "/supervise");
  REQUIRE(mkfifo((sd.dir + "/supervise/control").c_str(), 0600) == 0);
  const auto start = Clock::now();
  CHECK(send_control(sd.dir, 'd') == ControlResult::no_runsv);
  CHECK_FALSE(runsv_present(sd.dir));
  stop_services({sd.dir}, {5000ms});  // a no-op, not a 5 s wait
  CHECK(Clock::now() - start < 500ms);
}

TEST_CASE("a real runsv: status, d and u, stop_services and wait_runsv_gone") {
  ServiceDir sd("#!/bin/sh\nexec sleep 1000\n");
  Runsv rv(sd.dir);
  pid_t first = rv.wait_up(sd.dir);
  REQUIRE(first > 0);
  CHECK_FALSE(process_gone(first));
  CHECK(runsv_present(sd.dir));
  auto st = read_status(sd.dir);
  REQUIRE(st);
  CHECK(st->want == 'u');
  CHECK(std::abs(st->since - static_cast<long long>(time(nullptr))) < 5);

  CHECK(send_control(sd.dir, 'd') == ControlResult::sent);
  CHECK(wait_for([&] { return is_down(sd.dir); }, 2000ms));
  CHECK(read_status(sd.dir)->want == 'd');
  CHECK(process_gone(first));

  // The run lasted under 1 s, so runsv sleeps a second before it reads this 'u'.
  CHECK(send_control(sd.dir, 'u') == ControlResult::sent);
  pid_t second = rv.wait_up(sd.dir);
  REQUIRE(second > 0);
  CHECK(second != first);

  // A service that obeys TERM is down well before the grace period ends.
  const auto start = Clock::now();
  stop_services({sd.dir}, {3000ms});
  CHECK(Clock::now() - start < 1000ms);
  CHECK(is_down(sd.dir));
  CHECK(process_gone(second));

  // runsv is still there until told to exit.
  CHECK_FALSE(wait_runsv_gone(sd.dir, 20ms));
  CHECK(send_control(sd.dir, 'x') == ControlResult::sent);
  CHECK(wait_runsv_gone(sd.dir, 3000ms));
  CHECK(rv.reap(2000ms));
  CHECK(send_control(sd.dir, 'u') == ControlResult::no_runsv);
}

TEST_CASE("stop_services KILLs a service that ignores TERM") {
  // An ignored signal stays ignored across exec, so this sleep ignores runsv's TERM.
  ServiceDir sd("#!/bin/sh\ntrap '' TERM\necho > ready\nexec sleep 1000\n");
  Runsv rv(sd.dir);
  pid_t pid = rv.wait_up(sd.dir);
  REQUIRE(pid > 0);
  // Only once the trap is set does the test show anything.
  REQUIRE(wait_for([&] { return fs::exists(sd.dir + "/ready"); }, 3000ms));

  const auto start = Clock::now();
  stop_services({sd.dir}, {300ms});
  const auto took = Clock::now() - start;
  CHECK(took >= 300ms);  // TERM did not do it
  CHECK(took < 2000ms);  // the KILL did, promptly
  CHECK(is_down(sd.dir));
  CHECK(process_gone(pid));
}

TEST_CASE("wait_runsv_gone waits for the log runsv too") {
  ServiceDir sd("#!/bin/sh\nexec sleep 1000\n", "#!/bin/sh\nexec cat >/dev/null\n");
  Runsv rv(sd.dir);
  REQUIRE(rv.wait_up(sd.dir) > 0);
  REQUIRE(rv.wait_up(sd.dir + "/log") > 0);
  CHECK(runsv_present(sd.dir + "/log"));
  CHECK_FALSE(wait_runsv_gone(sd.dir, 20ms));
  CHECK(send_control(sd.dir, 'd') == ControlResult::sent);
  CHECK(send_control(sd.dir, 'x') == ControlResult::sent);
  CHECK(wait_runsv_gone(sd.dir, 3000ms));
  CHECK_FALSE(runsv_present(sd.dir + "/log"));
  CHECK(rv.reap(2000ms));
}
