// fsutil: the filesystem edge. Descriptor-relative, symlink-refusing, atomic writes.
// Every function throws SystemError on failure; nothing here follows a symlink that
// sits where zsv expects a file or directory of its own.
#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace zsv {

// A failed system call, with the path it was about: "open /run/service/x/run: Permission denied".
class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& what_failed, int err);
  int code() const { return err_; }

 private:
  int err_;
};

// A move-only file descriptor that closes itself.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Opens directory PATH (absolute or relative to the cwd); the last component must not be a symlink.
Fd open_dir(const std::string& path);
// Opens directory NAME inside DIRFD, refusing a symlink; empty Fd when NAME does not exist.
Fd open_dir_at(int dirfd, const std::string& name);
// Creates directory PATH and its parents when missing (mkdir -p), mode 0755.
void make_dirs(const std::string& path);

// The file's contents, or nullopt when it does not exist. RELPATH may contain '/';
// no component may be a symlink. Errors other than "does not exist" throw.
std::optional<std::string> read_file_at(int dirfd, const std::string& relpath);

// Writes RELPATH under DIRFD atomically: a temp file ".NAME.zsv-tmp" beside it, written,
// fsynced, chmodded to MODE, then renamed over NAME. Parent directories in RELPATH are
// created (0755) when missing. A reader sees the old file or the new one, never a part.
void write_file_atomic(int dirfd, const std::string& relpath, std::string_view content, mode_t mode);

// Removes RELPATH under DIRFD (a file, or an empty-able tree with remove_tree_at); no error
// when it does not exist.
void remove_file_at(int dirfd, const std::string& relpath);
// Removes NAME under DIRFD and everything below it, never following symlinks (a symlink
// is removed as a link). No error when NAME does not exist.
void remove_tree_at(int dirfd, const std::string& name);

// Renames FROM to TO inside DIRFD. With no_replace, fails (EEXIST) rather than replace TO.
void rename_at(int dirfd, const std::string& from, const std::string& to, bool no_replace);

// fsyncs the directory (after renames into it).
void sync_dir(int dirfd);

// The names in DIRFD, sorted, without "." and "..".
std::vector<std::string> list_dir(int dirfd);

enum class EntryType { missing, directory, regular, symlink, fifo, other };
EntryType entry_type_at(int dirfd, const std::string& relpath);  // lstat, never follows

// The entries of DIRFD with their types (from the directory itself where the
// filesystem says, else lstat), sorted by name, without "." and "..".
std::vector<std::pair<std::string, EntryType>> list_dir_typed(int dirfd);

// Takes an exclusive flock on DIR/.zsv.lock (created 0600 if missing), waiting for it at
// most TIMEOUT, and writes this process's pid into it. Held until the returned Fd is
// closed. On timeout throws SystemError naming the holder's pid (as the holder wrote it).
Fd lock_service_dir(int dirfd, std::chrono::milliseconds timeout);

}  // namespace zsv
