// fsutil: descriptor-relative, symlink-refusing file operations and atomic writes.
#include "fsutil.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <climits>
#include <cstdio>  // renameat2 (glibc >= 2.28, _GNU_SOURCE)
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zsv {

SystemError::SystemError(const std::string& what_failed, int err)
    : std::runtime_error(fmt::format("{}: {}", what_failed, std::strerror(err))), err_(err) {}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

constexpr int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// DIRFD/REL spelled as a path for messages. /proc names what the descriptor points at,
// so an error deep in a walk still shows the full path. Only called on failure.
std::string describe(int dirfd, const std::string& rel) {
  if (dirfd == AT_FDCWD || (!rel.empty() && rel[0] == '/')) return rel;
  char buf[PATH_MAX];
  ssize_t n = ::readlink(fmt::format("/proc/self/fd/{}", dirfd).c_str(), buf, sizeof buf);
  std::string dir = n > 0 ? std::string(buf, static_cast<size_t>(n)) : fmt::format("<fd {}>", dirfd);
  if (rel.empty() || rel == ".") return dir;
  return dir == "/" ? "/" + rel : dir + "/" + rel;
}

[[noreturn]] void fail(const char* what, int dirfd, const std::string& rel, int err) {
  throw SystemError(fmt::format("{} {}", what, describe(dirfd, rel)), err);
}

bool is_symlink_at(int dirfd, const std::string& name) {
  struct stat st;
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

// An open with O_NOFOLLOW failed. A symlink shows up as ELOOP, or as ENOTDIR when
// O_DIRECTORY was given; say plainly that it was refused.
[[noreturn]] void fail_open(const char* what, int dirfd, const std::string& name, int err) {
  if ((err == ELOOP || err == ENOTDIR) && is_symlink_at(dirfd, name))
    fail("refusing symlink", dirfd, name, ELOOP);
  fail(what, dirfd, name, err);
}

// RELPATH split into its directories and final name. ".." is refused: zsv's own paths
// never climb, and a climbing path would defeat the per-component symlink checks.
struct SplitPath {
  std::vector<std::string> dirs;
  std::string base;
};

SplitPath split_path(const std::string& relpath) {
  SplitPath p;
  size_t i = 0;
  while (i <= relpath.size()) {
    size_t slash = std::min(relpath.find('/', i), relpath.size());
    std::string part = relpath.substr(i, slash - i);
    if (part == "..") throw SystemError(fmt::format("invalid path \"{}\"", relpath), EINVAL);
    if (!part.empty() && part != ".") p.dirs.push_back(std::move(part));
    i = slash + 1;
  }
  if (p.dirs.empty()) throw SystemError(fmt::format("invalid path \"{}\"", relpath), EINVAL);
  p.base = std::move(p.dirs.back());
  p.dirs.pop_back();
  return p;
}

// Opens directory NAME in DIRFD, never through a symlink; empty Fd when it is missing.
Fd open_subdir(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), dir_flags);
  if (fd >= 0) return Fd(fd);
  if (errno == ENOENT) return Fd();
  fail_open("open", dirfd, name, errno);
}

// The directory that holds a path's final name: the caller's DIRFD or one we opened.
struct Parent {
  Fd owned;
  int fd = -1;
  bool missing = false;
};

// Walks DIRS below DIRFD one component at a time, so no symlink anywhere on the way is
// followed. With CREATE, missing directories are made (0755); otherwise a missing one
// ends the walk with missing = true.
Parent walk_dirs(int dirfd, const std::vector<std::string>& dirs, bool create) {
  Parent p;
  p.fd = dirfd;
  for (const auto& d : dirs) {
    if (create && ::mkdirat(p.fd, d.c_str(), 0755) != 0 && errno != EEXIST)
      fail("mkdir", p.fd, d, errno);
    Fd next = open_subdir(p.fd, d);
    if (!next && create) fail("open", p.fd, d, ENOENT);  // removed under us
    if (!next) {
      p.missing = true;
      return p;
    }
    p.owned = std::move(next);
    p.fd = p.owned.get();
  }
  return p;
}

void write_all(int fd, std::string_view content, int dirfd, const std::string& name) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write", dirfd, name, errno);
    content.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_all(int fd, int dirfd, const std::string& name) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read", dirfd, name, errno);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Removes NAME in DIRFD and, for a directory, everything below it. unlinkat comes first
// because it removes a symlink as a link; only a real directory (EISDIR) is descended,
// and then through O_NOFOLLOW, so a symlink swapped in meanwhile is refused, not followed.
void remove_entry(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR) fail("remove", dirfd, name, errno);
  if (Fd d = open_subdir(dirfd, name))
    for (const auto& child : list_dir(d.get())) remove_entry(d.get(), child);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    fail("remove", dirfd, name, errno);
}

}  // namespace

Fd open_dir(const std::string& path) {
  // A trailing slash would make open() follow a final symlink despite O_NOFOLLOW.
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  int fd = ::open(p.c_str(), dir_flags);
  if (fd < 0) fail_open("open", AT_FDCWD, p, errno);
  return Fd(fd);
}

Fd open_dir_at(int dirfd, const std::string& name) {
  SplitPath sp = split_path(name);
  Parent parent = walk_dirs(dirfd, sp.dirs, false);
  if (parent.missing) return Fd();
  return open_subdir(parent.fd, sp.base);
}

void make_dirs(const std::string& dirpath) {
  std::string path = dirpath;  // without trailing slashes, for the same reason as open_dir
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  int fd = ::open(path.c_str(), dir_flags);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  // Leading components may be system symlinks (/var/run -> /run), so they are followed as
  // mkdir -p would; open_dir below still refuses a symlink as the final component.
  for (size_t slash = path.find('/', 1); ; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) fail("mkdir", AT_FDCWD, prefix, errno);
    if (slash == std::string::npos) break;
  }
  open_dir(path);
}

std::optional<std::string> read_file_at(int dirfd, const std::string& relpath) {
  SplitPath sp = split_path(relpath);
  Parent parent = walk_dirs(dirfd, sp.dirs, false);
  if (parent.missing) return std::nullopt;
  // O_NONBLOCK so a FIFO in the file's place cannot hang us; regular files ignore it.
  int fd = ::openat(parent.fd, sp.base.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) fail_open("open", parent.fd, sp.base, errno);
  Fd f(fd);
  struct stat st;
  if (::fstat(f.get(), &st) != 0) fail("stat", parent.fd, sp.base, errno);
  if (!S_ISREG(st.st_mode))
    fail("read", parent.fd, sp.base, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
  return read_all(f.get(), parent.fd, sp.base);
}

void write_file_atomic(int dirfd, const std::string& relpath, std::string_view content, mode_t mode) {
  SplitPath sp = split_path(relpath);
  Parent parent = walk_dirs(dirfd, sp.dirs, true);
  // rename would replace a symlink rather than follow it, but a symlink where zsv keeps
  // its own file means someone else put it there: refuse instead of clobbering it.
  if (is_symlink_at(parent.fd, sp.base)) fail("refusing symlink", parent.fd, sp.base, ELOOP);
  const std::string tmp = "." + sp.base + ".zsv-tmp";
  int fd = ::openat(parent.fd, tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail_open("create", parent.fd, tmp, errno);
  Fd f(fd);
  try {
    write_all(f.get(), content, parent.fd, tmp);
    if (::fchmod(f.get(), mode) != 0) fail("chmod", parent.fd, tmp, errno);
    if (::fsync(f.get()) != 0) fail("fsync", parent.fd, tmp, errno);
    f = Fd();
    // The rename is the commit: before it readers see the old file, after it the new one.
    if (::renameat(parent.fd, tmp.c_str(), parent.fd, sp.base.c_str()) != 0)
      fail(fmt::format("rename {} to", describe(parent.fd, tmp)).c_str(), parent.fd, sp.base, errno);
  } catch (...) {
    ::unlinkat(parent.fd, tmp.c_str(), 0);
    throw;
  }
}

void remove_file_at(int dirfd, const std::string& relpath) {
  SplitPath sp = split_path(relpath);
  Parent parent = walk_dirs(dirfd, sp.dirs, false);
  if (parent.missing) return;
  if (::unlinkat(parent.fd, sp.base.c_str(), 0) == 0 || errno == ENOENT) return;
  // An empty directory goes too; a full one is remove_tree_at's job and fails ENOTEMPTY.
  if (errno == EISDIR && ::unlinkat(parent.fd, sp.base.c_str(), AT_REMOVEDIR) == 0) return;
  fail("remove", parent.fd, sp.base, errno);
}

void remove_tree_at(int dirfd, const std::string& name) {
  SplitPath sp = split_path(name);
  Parent parent = walk_dirs(dirfd, sp.dirs, false);
  if (parent.missing) return;
  remove_entry(parent.fd, sp.base);
}

void rename_at(int dirfd, const std::string& from, const std::string& to, bool no_replace) {
  SplitPath f = split_path(from), t = split_path(to);
  Parent pf = walk_dirs(dirfd, f.dirs, false), pt = walk_dirs(dirfd, t.dirs, false);
  if (pf.missing) fail("rename", dirfd, from, ENOENT);
  if (pt.missing) fail("rename to", dirfd, to, ENOENT);
  unsigned flags = no_replace ? RENAME_NOREPLACE : 0;
  if (::renameat2(pf.fd, f.base.c_str(), pt.fd, t.base.c_str(), flags) != 0)
    fail(fmt::format("rename {} to", describe(pf.fd, f.base)).c_str(), pt.fd, t.base, errno);
}

void sync_dir(int dirfd) {
  // Some filesystems cannot fsync a directory (EINVAL); there is nothing more to do there.
  if (::fsync(dirfd) != 0 && errno != EINVAL) fail("fsync", dirfd, ".", errno);
}

std::vector<std::string> list_dir(int dirfd) {
  std::vector<std::string> names;
  for (auto& [name, type] : list_dir_typed(dirfd)) names.push_back(std::move(name));
  return names;
}

std::vector<std::pair<std::string, EntryType>> list_dir_typed(int dirfd) {
  // A fresh descriptor, so reading does not move the caller's offset or close its fd.
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open", dirfd, ".", errno);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(fd), ::closedir);
  if (!dir) {
    int err = errno;
    ::close(fd);
    fail("opendir", dirfd, ".", err);
  }
  std::vector<std::pair<std::string, EntryType>> out;
  errno = 0;
  while (const dirent* e = ::readdir(dir.get())) {
    std::string n = e->d_name;
    if (n == "." || n == "..") { errno = 0; continue; }
    EntryType t;
    switch (e->d_type) {
      case DT_DIR: t = EntryType::directory; break;
      case DT_REG: t = EntryType::regular; break;
      case DT_LNK: t = EntryType::symlink; break;
      case DT_FIFO: t = EntryType::fifo; break;
      case DT_UNKNOWN: t = entry_type_at(dirfd, n); break;
      default: t = EntryType::other; break;
    }
    out.emplace_back(std::move(n), t);
    errno = 0;
  }
  if (errno != 0) fail("readdir", dirfd, ".", errno);
  std::sort(out.begin(), out.end());
  return out;
}

EntryType entry_type_at(int dirfd, const std::string& relpath) {
  SplitPath sp = split_path(relpath);
  Parent parent = walk_dirs(dirfd, sp.dirs, false);
  if (parent.missing) return EntryType::missing;
  struct stat st;
  if (::fstatat(parent.fd, sp.base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return EntryType::missing;
    fail("stat", parent.fd, sp.base, errno);
  }
  if (S_ISDIR(st.st_mode)) return EntryType::directory;
  if (S_ISREG(st.st_mode)) return EntryType::regular;
  if (S_ISLNK(st.st_mode)) return EntryType::symlink;
  if (S_ISFIFO(st.st_mode)) return EntryType::fifo;
  return EntryType::other;
}

Fd lock_service_dir(int dirfd, std::chrono::milliseconds timeout) {
  const std::string name = ".zsv.lock";
  int fd = ::openat(dirfd, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) fail_open("open", dirfd, name, errno);
  Fd lock(fd);
  struct stat st;
  if (::fstat(lock.get(), &st) != 0) fail("stat", dirfd, name, errno);
  if (!S_ISREG(st.st_mode)) fail("lock", dirfd, name, EINVAL);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) fail("lock", dirfd, name, errno);
    if (std::chrono::steady_clock::now() >= deadline) {
      // The holder wrote its pid when it took the lock (below).
      char buf[32] = {};
      ssize_t n = ::pread(lock.get(), buf, sizeof buf - 1, 0);
      std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
      pid = pid.substr(0, pid.find_first_not_of("0123456789"));
      throw SystemError(fmt::format("lock {} is held by pid {} (waited {} s)", describe(dirfd, name),
                                    pid.empty() ? "unknown" : pid, timeout.count() / 1000.0),
                        EWOULDBLOCK);
    }
    ::usleep(10000);
  }
  std::string me = fmt::format("{}\n", ::getpid());
  if (::ftruncate(lock.get(), 0) != 0 || ::pwrite(lock.get(), me.data(), me.size(), 0) < 0)
    fail("write", dirfd, name, errno);
  return lock;
}

}  // namespace zsv
