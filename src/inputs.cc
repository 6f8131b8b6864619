// inputs: canonical paths, the one zsh, a safe PATH and bounded reads of input files.
#include "inputs.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "fsutil.h"

namespace zsv {

namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i <= path.size();) {
    std::size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(i, slash - i);
    if (part == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(std::move(part));
    }
    i = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "/" + parts[i];
  return out.empty() ? "/" : out;
}

std::optional<std::string> real(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

bool executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

const char* kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "of another type";
}

}  // namespace

void ensure_path() {
  const char* p = std::getenv("PATH");
  if (p == nullptr || *p == '\0') ::setenv("PATH", safe_path, 1);
}

std::string canonical_path(const std::string& path) {
  if (path.empty()) return path;
  std::string abs = path;
  if (abs.front() != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) != nullptr) abs = std::string(cwd) + "/" + abs;
  }
  if (auto r = real(abs)) return *r;  // it exists: /var/service -> /run/runit/service
  // It does not exist yet (a first boot's tree, a missing zsvrc): its existing prefix is
  // resolved and the rest, with "..", "." and repeated slashes taken lexically, appended.
  std::vector<std::string> parts = components(abs);
  for (std::size_t n = parts.size(); n > 0; --n) {
    if (auto r = real(join(parts, n))) {
      std::string out = *r == "/" ? "" : *r;
      for (std::size_t i = n; i < parts.size(); ++i) out += "/" + parts[i];
      return out.empty() ? "/" : out;
    }
  }
  return join(parts, parts.size());
}

std::string resolve_zsh(const std::string& given, const std::string& fallback, std::string& error) {
  if (!given.empty()) {
    auto r = real(given);
    if (r && executable_file(*r)) return *r;
    error = fmt::format("zsh {} is not an executable file", given);
    return "";
  }
  if (executable_file(fallback))
    if (auto r = real(fallback)) return *r;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : safe_path;
  for (std::size_t i = 0; i <= dirs.size();) {
    std::size_t colon = dirs.find(':', i);
    if (colon == std::string::npos) colon = dirs.size();
    std::string dir = dirs.substr(i, colon - i);
    i = colon + 1;
    if (dir.empty() || dir.front() != '/') continue;  // never a script's "#!./zsh"
    if (executable_file(dir + "/zsh"))
      if (auto r = real(dir + "/zsh")) return *r;
  }
  error = fmt::format("no zsh: not at {}, nor on PATH's absolute entries", fallback);
  return "";
}

InputText read_input(const std::string& path, std::size_t limit) {
  InputText in;
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    in.missing = errno == ENOENT;
    in.error = in.missing ? "" : fmt::format("cannot read: {}", std::strerror(errno));
    return in;
  }
  Fd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0) {
    in.error = fmt::format("cannot read: {}", std::strerror(errno));
    return in;
  }
  if (!S_ISREG(st.st_mode)) {
    in.error = fmt::format("cannot read: not a regular file ({})", kind(st.st_mode));
    return in;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      in.error = fmt::format("cannot read: {}", std::strerror(errno));
      return in;
    }
    if (n == 0) return in;
    in.text.append(buf, static_cast<std::size_t>(n));
    if (in.text.size() > limit) {
      in.error = fmt::format("larger than {} bytes (--max-input, ZSV_MAX_INPUT)", limit);
      in.text.clear();
      return in;
    }
  }
}

}  // namespace zsv
