// runit: status and control of one runsv through its supervise/ directory (RUNIT.md).
#include "runit.h"

#include "fsutil.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <vector>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace zsv {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds poll_interval{5};
// How long a full control FIFO may stay full before we give up (runsv drains it within
// its 1 s anti-flap sleep at the latest).
constexpr milliseconds control_write_limit{1500};

// Opens SERVICE/supervise/control for writing without blocking. An empty Fd means no
// runsv reads it: the FIFO has no reader (ENXIO) or was never made (ENOENT, ENOTDIR).
// supervise/ itself may be a symlink (Debian links it into /run); control may not.
Fd open_control(const std::string& service) {
  const std::string path = service + "/supervise/control";
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO || errno == ENOENT || errno == ENOTDIR) return Fd();
    throw SystemError(fmt::format("open {}", path), errno);
  }
  Fd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0) throw SystemError(fmt::format("stat {}", path), errno);
  // A regular file in the FIFO's place would swallow commands silently.
  if (!S_ISFIFO(st.st_mode)) throw SystemError(fmt::format("open {} (not a FIFO)", path), EINVAL);
  return f;
}

// Writes one byte with SIGPIPE blocked: a runsv that exits between our open and write
// must read as "no runsv" (EPIPE), not kill zsvgen. A SIGPIPE we caused is consumed.
ssize_t write_byte_no_sigpipe(int fd, char c) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ssize_t n = ::write(fd, &c, 1);
  int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return n;
}

}  // namespace

ControlResult send_control(const std::string& service, char cmd) {
  Fd f = open_control(service);
  if (!f) return ControlResult::no_runsv;
  const auto deadline = Clock::now() + control_write_limit;
  for (;;) {
    ssize_t n = write_byte_no_sigpipe(f.get(), cmd);
    if (n == 1) return ControlResult::sent;
    if (n < 0 && errno == EPIPE) return ControlResult::no_runsv;
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      throw SystemError(fmt::format("write {}/supervise/control", service), errno);
    if (Clock::now() >= deadline)
      throw SystemError(fmt::format("write {}/supervise/control (FIFO stays full)", service), EAGAIN);
    std::this_thread::sleep_for(milliseconds(1));
  }
}

std::optional<ServiceStatus> decode_status(const std::string& bytes) {
  if (bytes.size() != 20) return std::nullopt;
  auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])); };
  uint64_t tai = 0;
  for (size_t i = 0; i < 8; ++i) tai = (tai << 8) | byte(i);  // big-endian
  uint32_t pid = static_cast<uint32_t>(byte(12) | byte(13) << 8 | byte(14) << 16 | byte(15) << 24);
  // TAI64 labels the unix epoch 2^62 + 10 (runit's fixed TAI-UTC offset).
  constexpr uint64_t tai_unix_epoch = (uint64_t{1} << 62) + 10;
  ServiceStatus s;
  s.since = tai >= tai_unix_epoch ? static_cast<long long>(tai - tai_unix_epoch) : 0;
  s.pid = static_cast<pid_t>(pid);
  s.paused = bytes[16] != 0;
  s.want = bytes[17] == 'u' || bytes[17] == 'd' ? bytes[17] : 0;
  s.got_term = bytes[18] != 0;
  s.state = static_cast<unsigned char>(bytes[19]);
  return s;
}

std::optional<ServiceStatus> read_status(const std::string& service) {
  const std::string path = service + "/supervise/status";
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return std::nullopt;
  if (fd < 0) throw SystemError(fmt::format("open {}", path), errno);
  Fd f(fd);
  // runsv replaces the file by rename, so one read sees one whole version; read a little
  // past 20 bytes so that an oversized file is recognised as malformed.
  char buf[64];
  std::string bytes;
  for (;;) {
    ssize_t n = ::read(f.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError(fmt::format("read {}", path), errno);
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
    if (bytes.size() > 20) break;  // already malformed; no need to read it all
  }
  return decode_status(bytes);
}

bool runsv_present(const std::string& service) {
  return static_cast<bool>(open_control(service));  // closed at once, nothing written
}

bool wait_runsv_gone(const std::string& service, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string log = service + "/log";
  for (;;) {
    if (!runsv_present(service) && !runsv_present(log)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll_interval);
  }
}

namespace {

// The whole of /proc/PID/FILE, or empty.
std::string proc_file(const std::string& pid, const char* file) {
  std::string path = "/proc/" + pid + "/" + file;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

// True when the process catches SIGALRM (the SigCgt mask of /proc/PID/status).
bool catches_alarm(const std::string& pid) {
  std::string status = proc_file(pid, "status");
  auto at = status.find("SigCgt:");
  if (at == std::string::npos) return false;
  unsigned long long mask = std::strtoull(status.c_str() + at + 7, nullptr, 16);
  return (mask >> (SIGALRM - 1)) & 1ULL;
}

// Whether process PID is "runsvdir [-P] DIR ..." with DIR naming the directory whose
// real path is WANT. A relative DIR is taken from the process's working directory,
// where runsvdir returns between scans.
bool runsvdir_of(const std::string& pid, const std::string& want) {
  std::string cmdline = proc_file(pid, "cmdline");
  std::vector<std::string> args;
  for (std::size_t pos = 0; pos < cmdline.size();) {
    auto end = cmdline.find('\0', pos);
    if (end == std::string::npos) end = cmdline.size();
    args.push_back(cmdline.substr(pos, end - pos));
    pos = end + 1;
  }
  if (args.empty() || args[0].substr(args[0].rfind('/') + 1) != "runsvdir") return false;
  std::size_t i = args.size() > 1 && args[1] == "-P" ? 2 : 1;
  if (i >= args.size() || args[i].empty()) return false;
  std::string dir = args[i];
  if (dir.front() != '/') dir = "/proc/" + pid + "/cwd/" + dir;
  char real[PATH_MAX];
  return ::realpath(dir.c_str(), real) != nullptr && want == real;
}

}  // namespace

int nudge_runsvdir(const std::string& dir) {
  int asked = 0;
  char real[PATH_MAX];
  if (::realpath(dir.c_str(), real) == nullptr) return 0;
  std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), ::closedir);
  if (!proc) return 0;
  while (const dirent* e = ::readdir(proc.get())) {
    std::string pid = e->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!runsvdir_of(pid, real) || !catches_alarm(pid)) continue;
    if (::kill(std::stoi(pid), SIGALRM) == 0) ++asked;
  }
  return asked;
}

}  // namespace zsv
