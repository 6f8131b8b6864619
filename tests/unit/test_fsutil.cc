// Tests for fsutil: atomic writes, symlink refusal, tree removal and the service-dir lock,
// on a real temporary directory.
#include "fsutil.h"

#include <cerrno>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/file.h>
#include <optional>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace zsv;

namespace {

// A mkdtemp directory holding "svc" (the directory under test, open as fd) and
// "outside" (what a symlink in svc may point at and must never be written through).
struct Sandbox {
  std::string root, svc, outside;
  Fd fd;
  Sandbox() {
    char tmpl[] = "/tmp/zsv-fsutil-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    root = tmpl;
    svc = root + "/svc";
    outside = root + "/outside";
    fs::create_directory(svc);
    fs::create_directory(outside);
    fd = open_dir(svc);
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(root, ec);  // does not follow symlinks
  }
  std::string path(const std::string& rel) const { return svc + "/" + rel; }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

mode_t mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Runs F, which must throw SystemError; returns its errno code (0 when nothing was thrown).
template <class F>
int error_of(F&& f) {
  try {
    f();
  } catch (const SystemError& e) {
    return e.code();
  }
  return 0;
}

}  // namespace

TEST_CASE("write_file_atomic creates, replaces, sets the mode and leaves no temp file") {
  Sandbox sb;
  write_file_atomic(sb.fd.get(), "run", "#!/bin/zsh\nexec a\n", 0755);
  CHECK(slurp(sb.path("run")) == "#!/bin/zsh\nexec a\n");
  CHECK(mode_of(sb.path("run")) == 0755);

  struct stat st1, st2;
  REQUIRE(stat(sb.path("run").c_str(), &st1) == 0);
  write_file_atomic(sb.fd.get(), "run", "new", 0640);
  REQUIRE(stat(sb.path("run").c_str(), &st2) == 0);
  CHECK(slurp(sb.path("run")) == "new");
  CHECK(mode_of(sb.path("run")) == 0640);
  CHECK(st1.st_ino != st2.st_ino);  // replaced by rename, not rewritten in place
  CHECK_FALSE(fs::exists(sb.path(".run.zsv-tmp")));
  CHECK(list_dir(sb.fd.get()) == std::vector<std::string>{"run"});
}

TEST_CASE("write_file_atomic makes missing parents and read_file_at reads through them") {
  Sandbox sb;
  write_file_atomic(sb.fd.get(), "log/zsv/meta", "x=1\n", 0644);
  CHECK(fs::is_directory(sb.path("log/zsv")));
  CHECK(mode_of(sb.path("log")) == 0755);
  CHECK(read_file_at(sb.fd.get(), "log/zsv/meta") == std::optional<std::string>("x=1\n"));
  CHECK(read_file_at(sb.fd.get(), "log/zsv/none") == std::nullopt);
  CHECK(read_file_at(sb.fd.get(), "nodir/none") == std::nullopt);
  write_file_atomic(sb.fd.get(), "empty", "", 0600);
  CHECK(read_file_at(sb.fd.get(), "empty") == std::optional<std::string>(""));
}

TEST_CASE("a failed write_file_atomic removes its temp file and keeps the target") {
  Sandbox sb;
  fs::create_directory(sb.path("d"));
  spit(sb.path("d/keep"), "k");
  CHECK(error_of([&] { write_file_atomic(sb.fd.get(), "d", "x", 0644); }) == EISDIR);
  CHECK_FALSE(fs::exists(sb.path(".d.zsv-tmp")));
  CHECK(slurp(sb.path("d/keep")) == "k");
}

TEST_CASE("a symlinked parent component is refused, nothing is written outside") {
  Sandbox sb;
  fs::create_directory_symlink(sb.outside, sb.path("log"));
  spit(sb.outside + "/run", "outside");
  CHECK(error_of([&] { write_file_atomic(sb.fd.get(), "log/run", "evil", 0755); }) == ELOOP);
  CHECK(error_of([&] { read_file_at(sb.fd.get(), "log/run"); }) == ELOOP);
  CHECK(error_of([&] { entry_type_at(sb.fd.get(), "log/run"); }) == ELOOP);
  CHECK(error_of([&] { remove_file_at(sb.fd.get(), "log/run"); }) == ELOOP);
  CHECK(error_of([&] { open_dir_at(sb.fd.get(), "log"); }) == ELOOP);
  CHECK(slurp(sb.outside + "/run") == "outside");
  CHECK(list_dir(open_dir(sb.outside).get()) == std::vector<std::string>{"run"});
}

TEST_CASE("a symlinked target file is refused and left alone") {
  Sandbox sb;
  spit(sb.outside + "/f", "outside");
  fs::create_symlink(sb.outside + "/f", sb.path("run"));
  CHECK(error_of([&] { write_file_atomic(sb.fd.get(), "run", "evil", 0755); }) == ELOOP);
  CHECK(error_of([&] { read_file_at(sb.fd.get(), "run"); }) == ELOOP);
  CHECK(fs::is_symlink(sb.path("run")));
  CHECK(slurp(sb.outside + "/f") == "outside");
  CHECK_FALSE(fs::exists(sb.path(".run.zsv-tmp")));
}

TEST_CASE("SystemError names the operation, the path and the reason") {
  Sandbox sb;
  fs::create_directory_symlink(sb.outside, sb.path("link"));
  try {
    open_dir(sb.path("link"));
    FAIL("open_dir followed a symlink");
  } catch (const SystemError& e) {
    CHECK(std::string(e.what()) == "refusing symlink " + sb.path("link") + ": Too many levels of symbolic links");
  }
  try {
    open_dir(sb.root + "/missing");
    FAIL("open_dir opened a missing directory");
  } catch (const SystemError& e) {
    CHECK(std::string(e.what()) == "open " + sb.root + "/missing: No such file or directory");
    CHECK(e.code() == ENOENT);
  }
  fs::create_directory(sb.path("d"));
  try {
    remove_file_at(sb.fd.get(), "d/..");
    FAIL("a climbing path was accepted");
  } catch (const SystemError& e) {
    CHECK(e.code() == EINVAL);
  }
  // Errors below a descriptor are spelled with the descriptor's real path.
  spit(sb.path("d/x"), "");
  try {
    remove_file_at(sb.fd.get(), "d");
    FAIL("a full directory was removed by remove_file_at");
  } catch (const SystemError& e) {
    CHECK(std::string(e.what()) == "remove " + sb.path("d") + ": Directory not empty");
  }
}

TEST_CASE("remove_tree_at removes a tree and never follows a symlink out of it") {
  Sandbox sb;
  spit(sb.outside + "/precious", "p");
  fs::create_directories(sb.path("x/log/supervise"));
  spit(sb.path("x/run"), "r");
  spit(sb.path("x/log/supervise/stat"), "s");
  fs::create_directory_symlink(sb.outside, sb.path("x/link"));
  fs::create_directory_symlink(sb.outside, sb.path("x/log/link2"));
  remove_tree_at(sb.fd.get(), "x");
  CHECK_FALSE(fs::exists(fs::symlink_status(sb.path("x"))));
  CHECK(slurp(sb.outside + "/precious") == "p");

  // A symlink as the tree itself is removed as a link.
  fs::create_directory_symlink(sb.outside, sb.path("y"));
  remove_tree_at(sb.fd.get(), "y");
  CHECK_FALSE(fs::exists(fs::symlink_status(sb.path("y"))));
  CHECK(slurp(sb.outside + "/precious") == "p");

  remove_tree_at(sb.fd.get(), "never-there");  // no error
  remove_file_at(sb.fd.get(), "never-there");
  remove_file_at(sb.fd.get(), "no/such/parent");
}

TEST_CASE("remove_file_at removes a file, a symlink or an empty directory") {
  Sandbox sb;
  spit(sb.path("down"), "");
  fs::create_symlink(sb.outside, sb.path("l"));
  fs::create_directory(sb.path("e"));
  for (const char* name : {"down", "l", "e"}) {
    CAPTURE(name);
    remove_file_at(sb.fd.get(), name);
    CHECK(entry_type_at(sb.fd.get(), name) == EntryType::missing);
  }
  CHECK(fs::exists(sb.outside));
}

TEST_CASE("the service-dir lock excludes a second locker until released") {
  Sandbox sb;
  std::optional<Fd> held(lock_service_dir(sb.fd.get(), std::chrono::seconds(30)));
  CHECK(mode_of(sb.path(".zsv.lock")) == 0600);
  // flock belongs to the open file description, so a second open contends like another process.
  Fd other(open(sb.path(".zsv.lock").c_str(), O_RDWR | O_CLOEXEC));
  REQUIRE(other);
  int rc = flock(other.get(), LOCK_EX | LOCK_NB);
  int err = errno;  // before CHECK, whose reporting may touch errno
  CHECK(rc == -1);
  CHECK(err == EWOULDBLOCK);

  // A child blocked in lock_service_dir gets the lock only once we release ours.
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    held.reset();  // our copy of the parent's lock description would keep it locked
    try {
      Fd l = lock_service_dir(sb.fd.get(), std::chrono::seconds(30));
      char c = 'L';
      _exit(write(ready[1], &c, 1) == 1 ? 0 : 1);
    } catch (...) {
      _exit(2);  // never fall back into the test runner in the child
    }
  }
  close(ready[1]);
  Fd rd(ready[0]);
  fcntl(rd.get(), F_SETFL, O_NONBLOCK);
  char c;
  usleep(50000);
  rc = static_cast<int>(read(rd.get(), &c, 1));
  err = errno;
  CHECK(rc == -1);  // the child is still waiting for the lock
  CHECK(err == EAGAIN);
  held.reset();
  fcntl(rd.get(), F_SETFL, 0);
  CHECK(read(rd.get(), &c, 1) == 1);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(flock(other.get(), LOCK_EX | LOCK_NB) == 0);
}

TEST_CASE("lock_service_dir refuses a symlinked lock file") {
  Sandbox sb;
  fs::create_symlink(sb.outside + "/lock", sb.path(".zsv.lock"));
  CHECK(error_of([&] { lock_service_dir(sb.fd.get(), std::chrono::seconds(30)); }) == ELOOP);
  CHECK_FALSE(fs::exists(sb.outside + "/lock"));
}

TEST_CASE("list_dir is sorted and leaves out . and ..") {
  Sandbox sb;
  for (const char* n : {"b", ".hidden", "a", "C", "log"}) spit(sb.path(n), "");
  CHECK(list_dir(sb.fd.get()) == std::vector<std::string>{".hidden", "C", "a", "b", "log"});
  CHECK(list_dir(open_dir(sb.outside).get()).empty());
}

TEST_CASE("rename_at with no_replace refuses an existing target") {
  Sandbox sb;
  fs::create_directory(sb.path(".new.tmp"));
  spit(sb.path(".new.tmp/run"), "new");
  fs::create_directory(sb.path("new"));
  spit(sb.path("new/run"), "old");
  CHECK(error_of([&] { rename_at(sb.fd.get(), ".new.tmp", "new", true); }) == EEXIST);
  CHECK(slurp(sb.path("new/run")) == "old");
  CHECK(slurp(sb.path(".new.tmp/run")) == "new");

  rename_at(sb.fd.get(), ".new.tmp", "fresh", true);
  CHECK(slurp(sb.path("fresh/run")) == "new");
  spit(sb.path("f1"), "1");
  spit(sb.path("f2"), "2");
  rename_at(sb.fd.get(), "f1", "f2", false);  // replace allowed
  CHECK(slurp(sb.path("f2")) == "1");
  CHECK(entry_type_at(sb.fd.get(), "f1") == EntryType::missing);
  sync_dir(sb.fd.get());
}

TEST_CASE("entry_type_at reports what is there without following symlinks") {
  Sandbox sb;
  fs::create_directory(sb.path("dir"));
  spit(sb.path("dir/file"), "");
  fs::create_directory_symlink(sb.outside, sb.path("link"));
  REQUIRE(mkfifo(sb.path("fifo").c_str(), 0600) == 0);
  struct Row {
    const char* rel;
    EntryType want;
  };
  for (const Row& r : std::vector<Row>{{"dir", EntryType::directory},
                                       {"dir/file", EntryType::regular},
                                       {"link", EntryType::symlink},
                                       {"fifo", EntryType::fifo},
                                       {"none", EntryType::missing},
                                       {"none/deeper", EntryType::missing}}) {
    CAPTURE(r.rel);
    CHECK(entry_type_at(sb.fd.get(), r.rel) == r.want);
  }
  // A FIFO where a file is expected is an error, not a hang.
  CHECK(error_of([&] { read_file_at(sb.fd.get(), "fifo"); }) == EINVAL);
}

TEST_CASE("open_dir_at and make_dirs") {
  Sandbox sb;
  CHECK_FALSE(open_dir_at(sb.fd.get(), "none"));
  make_dirs(sb.path("a/b/c/"));
  make_dirs(sb.path("a/b/c"));  // idempotent
  CHECK(mode_of(sb.path("a/b/c")) == 0755);
  Fd c = open_dir_at(sb.fd.get(), "a/b/c");
  REQUIRE(c);
  write_file_atomic(c.get(), "f", "in c", 0644);
  CHECK(slurp(sb.path("a/b/c/f")) == "in c");
  fs::create_directory_symlink(sb.outside, sb.path("a/l"));
  CHECK(error_of([&] { make_dirs(sb.path("a/l")); }) == ELOOP);
  CHECK(error_of([&] { make_dirs(sb.path("a/l/")); }) == ELOOP);
  CHECK(error_of([&] { open_dir(sb.path("a/l/")); }) == ELOOP);
  spit(sb.path("plain"), "");
  CHECK(error_of([&] { make_dirs(sb.path("plain/sub")); }) == ENOTDIR);
}
