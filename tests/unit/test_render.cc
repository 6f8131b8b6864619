// Tests of rendering: golden directories for whole services, and determinism.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "render.h"

using namespace zsv;

namespace {

const char* golden_root = "tests/unit/golden";  // tests run from the source root

Entry entry(const std::string& line) {
  Svtab t = parse_svtab(line, "/etc/svtab");
  REQUIRE(t.diags.empty());
  return t.entries.at(0);
}

Resolved sshd_resolved() {
  Resolved r;
  r.default_flags = "E";
  r.runf = "zsv_run_sshd";
  r.logf = "zsv_log_default";
  r.checkf = "zsv_check_true";
  r.run = {"", "zsv_run_sshd () {\n\texec /usr/sbin/sshd -D\n}\n"};
  r.log = {"typeset -g zsv_logroot='/var/log/zsv'\ntypeset -g zsv_name='sshd'\n",
           "zsv_log_default () {\n\texec svlogd -tt $zsv_logroot/$zsv_name\n}\n"};
  r.check = {"", "zsv_check_true () {\n\ttrue\n}\n"};
  return r;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares the rendered files with golden_root/CASE/...; UPDATE_GOLDEN=1 rewrites them.
void check_golden(const std::string& name, const DesiredService& d) {
  std::string dir = std::string(golden_root) + "/" + name;
  bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  std::string listing;
  for (const File& f : d.files) {
    listing += f.path + (f.executable ? " 755\n" : " 644\n");
    std::string path = dir + "/" + f.path;
    if (update) {
      std::system(("mkdir -p \"$(dirname '" + path + "')\"").c_str());
      std::ofstream(path, std::ios::binary) << f.content;
    }
    CAPTURE(path);
    CHECK(read(path) == f.content);
  }
  listing += std::string("want ") + want_word(d.want) + "\n";
  if (update) std::ofstream(dir + "/FILES", std::ios::binary) << listing;
  CHECK(read(dir + "/FILES") == listing);
}

}  // namespace

TEST_CASE("render: golden services") {
  RenderSettings rs{"/usr/bin/zsh", Flags{}};
  std::string err;
  SUBCASE("sshd with defaults (E from zsv_flags)") {
    check_golden("sshd", render_service(entry("sshd\n"), sshd_resolved(), true, rs, err));
  }
  SUBCASE("N: no logger, output to /dev/null, condition false") {
    check_golden("sshd-N", render_service(entry("# x\nsshd:N\n"), sshd_resolved(), false, rs, err));
  }
  SUBCASE("e: stderr not logged; M: manual") {
    check_golden("sshd-eM", render_service(entry("sshd:eM\n"), sshd_resolved(), true, rs, err));
  }
  CHECK(err == "");
}

TEST_CASE("render: deterministic and independent of other entries") {
  RenderSettings rs{"/usr/bin/zsh", Flags{}};
  std::string err;
  DesiredService a = render_service(entry("sshd\n"), sshd_resolved(), true, rs, err);
  // Same entry further down the file: only zsv/source may differ.
  Svtab t = parse_svtab("other\nmore\nsshd\n", "/etc/svtab");
  DesiredService b = render_service(t.entries.at(2), sshd_resolved(), true, rs, err);
  REQUIRE(a.files.size() == b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    CAPTURE(a.files[i].path);
    if (a.files[i].path == "zsv/source")
      CHECK(a.files[i].content != b.files[i].content);
    else
      CHECK(a.files[i] == b.files[i]);
  }
}

TEST_CASE("render: unknown letters in $zsv_flags are an error for the entry") {
  RenderSettings rs{"/usr/bin/zsh", Flags{}};
  Resolved r = sshd_resolved();
  r.default_flags = "EQ";
  std::string err;
  render_service(entry("sshd\n"), r, true, rs, err);
  CHECK(err == "$zsv_flags has unknown flag 'Q' (known flags: E, M, N)");
}

TEST_CASE("render: an instance of a generator records it in zsv/generator; its scripts are an entry's") {
  RenderSettings rs{"/usr/bin/zsh", Flags{}};
  std::string err;
  Entry plain = entry("sshd.eth0\n");
  Entry inst = plain;
  inst.generator = "sshd.*";
  DesiredService a = render_service(plain, sshd_resolved(), true, rs, err);
  DesiredService b = render_service(inst, sshd_resolved(), true, rs, err);
  auto file = [](const DesiredService& d, const std::string& path) -> const File* {
    for (const File& f : d.files)
      if (f.path == path) return &f;
    return nullptr;
  };
  CHECK(file(a, "zsv/generator") == nullptr);
  REQUIRE(file(b, "zsv/generator") != nullptr);
  CHECK(file(b, "zsv/generator")->content == "sshd.*\n");
  CHECK_FALSE(file(b, "zsv/generator")->executable);
  for (const char* path : {"run", "log/run", "zsv/check", "zsv/inputs", "zsv/source"}) {
    CAPTURE(path);
    REQUIRE(file(a, path) != nullptr);
    CHECK(*file(a, path) == *file(b, path));
  }
}
