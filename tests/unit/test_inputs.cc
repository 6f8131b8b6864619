// Tests for inputs: one canonical spelling per file, the zsh's resolution, bounded reads.
#include "inputs.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace zsv;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/zsv-inputs-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = fs::canonical(tmpl).string();
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("canonical_path: every spelling of one file is one string") {
  TempDir t;
  fs::create_directories(t.path + "/real/sv");
  fs::create_directory_symlink(t.path + "/real", t.path + "/link");
  const std::string want = t.path + "/real/sv";
  CHECK(canonical_path(t.path + "/real/sv/") == want);
  CHECK(canonical_path(t.path + "//real//sv") == want);
  CHECK(canonical_path(t.path + "/real/x/../sv") == want);
  CHECK(canonical_path(t.path + "/link/sv") == want);
  SUBCASE("relative to the cwd") {
    auto old = fs::current_path();
    fs::current_path(t.path + "/real");
    CHECK(canonical_path("sv") == want);
    CHECK(canonical_path("./sv/.") == want);
    CHECK(canonical_path("../real/sv") == want);
    fs::current_path(old);
  }
  SUBCASE("a path that does not exist yet: its existing prefix is resolved") {
    CHECK(canonical_path(t.path + "/link/new//tree/") == t.path + "/real/new/tree");
    CHECK(canonical_path(t.path + "/link/new/../other") == t.path + "/real/other");
  }
}

TEST_CASE("resolve_zsh: the given one, else the default, else PATH's absolute entries; never relative") {
  TempDir t;
  std::string err;
  const std::string zsh = resolve_zsh("", "/nonexistent/zsh", err);
  REQUIRE(err == "");
  CHECK(zsh.front() == '/');
  std::string bin = t.path + "/bin";
  fs::create_directory(bin);
  fs::create_symlink(zsh, bin + "/zsh");
  CHECK(resolve_zsh(bin + "/zsh", "/nonexistent/zsh", err) == zsh);  // its realpath
  CHECK(resolve_zsh("", bin + "/zsh", err) == zsh);
  SUBCASE("a relative PATH entry is skipped") {
    std::string old = std::getenv("PATH");
    auto cwd = fs::current_path();
    fs::current_path(t.path);
    setenv("PATH", "bin", 1);
    CHECK(resolve_zsh("", "/nonexistent/zsh", err) == "");
    CHECK(err != "");
    setenv("PATH", old.c_str(), 1);
    fs::current_path(cwd);
  }
  CHECK(resolve_zsh(t.path + "/nothing", "/nonexistent/zsh", err) == "");
}

TEST_CASE("read_input: regular files only, bounded, never blocking") {
  TempDir t;
  std::ofstream(t.path + "/f") << "0123456789";
  CHECK(read_input(t.path + "/f", 10).text == "0123456789");
  CHECK(read_input(t.path + "/f", 9).error == "larger than 9 bytes (--max-input, ZSV_MAX_INPUT)");
  CHECK(read_input(t.path + "/none", 9).missing);
  CHECK(read_input(t.path + "/none", 9).error == "");
  CHECK(read_input(t.path, 9).error == "cannot read: not a regular file (a directory)");
  REQUIRE(mkfifo((t.path + "/fifo").c_str(), 0600) == 0);
  CHECK(read_input(t.path + "/fifo", 9).error == "cannot read: not a regular file (a FIFO)");
  CHECK(read_input("/dev/zero", 9).error == "cannot read: not a regular file (a character device)");
}
