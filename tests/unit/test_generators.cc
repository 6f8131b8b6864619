// Tests of generators (SPEC §4): a generator's output as instances, and lib/zsv_generate's
// result read back.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "generators.h"
#include "instances.h"

using namespace zsv;

namespace {

Svtab parsed(const std::string& text) {
  Svtab t = parse_svtab(text, "svtab");
  REQUIRE(t.diags.empty());
  return t;
}

std::vector<std::string> names(const Expansion& x) {
  std::vector<std::string> n;
  for (const Entry& e : x.instances) n.push_back(e.name);
  return n;
}

std::string all_diags(const Expansion& x) {
  std::string s;
  for (const Diagnostic& d : x.diags) s += format_diagnostic(d);
  return s;
}

InstanceList ok(const std::string& output) { return InstanceList{true, output, "", ""}; }

}  // namespace

TEST_CASE("generators: each line an instance with the generator's flags, code and line") {
  Svtab t = parsed("sshd\ndhcpcd.*:M:run=(sleep 1000)\n  x=1\n");
  Expansion x = expand_generators(t.generators, t.entries, {{"dhcpcd.*", ok("zv1\nzv0\n")}}, {});
  CHECK(all_diags(x) == "");
  REQUIRE(names(x) == std::vector<std::string>{"dhcpcd.zv0", "dhcpcd.zv1"});
  const Entry& e = x.instances[0];
  CHECK(e.flags == "M");
  CHECK(e.code == "run=(sleep 1000)\n  x=1");
  CHECK(e.code_lines == std::vector<int>{2, 3});
  CHECK(e.loc.line == 2);
  CHECK(e.source_line == "dhcpcd.*:M:run=(sleep 1000)");
  CHECK(e.generator == "dhcpcd.*");
  CHECK(e.prefix() == "dhcpcd");
  CHECK(e.instance() == "zv0");
  CHECK(x.keep.empty());
  CHECK(x.failed.empty());
}

TEST_CASE("generators: empty lines are none, duplicates one, an explicit entry wins") {
  Svtab t = parsed("dhcpcd.zv1:M\ndhcpcd.*\n");
  Expansion x = expand_generators(t.generators, t.entries, {{"dhcpcd.*", ok("\nzv1\nzv2\n\nzv2\nzv2")}}, {});
  CHECK(all_diags(x) == "");
  CHECK(names(x) == std::vector<std::string>{"dhcpcd.zv2"});
  CHECK(x.failed.empty());
}

TEST_CASE("generators: an instance that breaks the name rule is an error at the generator's line") {
  struct Case {
    const char* name;
    std::string line;
    std::string expected;
  };
  std::vector<Case> cases{
      {"dot-dot slash", "../x",
       "svtab:1:8: error: zsv_instances_dhcpcd printed '../x': instance 'dhcpcd.../x': '/' is not allowed "
       "in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n  dhcpcd.*::x=1\n         ^\n"},
      {"slash", "a/b",
       "svtab:1:8: error: zsv_instances_dhcpcd printed 'a/b': instance 'dhcpcd.a/b': '/' is not allowed "
       "in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n  dhcpcd.*::x=1\n         ^\n"},
      {"control byte", "a\x01\x1b",
       "svtab:1:8: error: zsv_instances_dhcpcd printed 'a\\x01\\x1b': instance 'dhcpcd.a\\x01\\x1b': control "
       "byte 0x01 is not allowed in a service name (allowed: A-Z a-z 0-9 _ . @ + -)\n  dhcpcd.*::x=1\n         ^\n"},
      {"over 64 bytes", std::string(58, 'x'),
       "svtab:1:8: error: zsv_instances_dhcpcd printed '" + std::string(58, 'x') + "': instance 'dhcpcd." +
           std::string(58, 'x') + "': service name is 65 bytes long; at most 64 are allowed\n  dhcpcd.*::x=1\n         ^\n"},
  };
  Svtab t = parsed("dhcpcd.*::x=1\n");
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Expansion x = expand_generators(t.generators, t.entries, {{"dhcpcd.*", ok("zv0\n" + c.line + "\n")}}, {});
    CHECK(all_diags(x) == c.expected);
    CHECK(names(x) == std::vector<std::string>{"dhcpcd.zv0"});  // the others proceed
    CHECK(x.failed.size() == 1);
  }
  // 57 bytes of instance: 64 in all, allowed.
  Expansion x = expand_generators(t.generators, t.entries, {{"dhcpcd.*", ok(std::string(57, 'x'))}}, {});
  CHECK(all_diags(x) == "");
  CHECK(x.instances.size() == 1);
}

TEST_CASE("generators: one that failed keeps the live services that came from it, and only those") {
  Svtab t = parsed("dhcpcd.zv1\ndhcpcd.*\ngetty.*\n");
  InstanceList failed{false, "", "zsv_instances_dhcpcd failed with status 3", "it said so\n"};
  std::map<std::string, std::string> origin{
      {"dhcpcd.zv0", "dhcpcd.*"}, {"dhcpcd.zv1", "dhcpcd.*"}, {"dhcpcd.zv2", "dhcpcd.*"}, {"getty.tty1", "getty.*"}};
  Expansion x = expand_generators(t.generators, t.entries, {{"dhcpcd.*", failed}, {"getty.*", ok("tty2\n")}}, origin);
  CHECK(x.keep == std::set<std::string>{"dhcpcd.zv0", "dhcpcd.zv2"});  // zv1 is an entry of its own now
  CHECK(names(x) == std::vector<std::string>{"getty.tty2"});        // getty.tty1 goes
  CHECK(x.failed == std::vector<std::string>{"dhcpcd.*"});
  CHECK(all_diags(x) ==
        "svtab:2:8: error: generator 'dhcpcd.*': zsv_instances_dhcpcd failed with status 3; its instances are "
        "left as they are (dhcpcd.zv0, dhcpcd.zv2)\n  dhcpcd.*\n         ^\n    it said so\n");
}

TEST_CASE("generators: lib/zsv_generate's result read back; only the result after the nonce counts") {
  const std::string nonce = "0123456789abcdef";
  auto result = [&](const std::string& fields, const std::string& out) {
    return std::string("\0I", 2) + nonce + '\0' + fields + std::to_string(out.size()) + '\0' + out;
  };
  using namespace std::string_literals;
  GenerateResult r = parse_generate_output("said\n"s + result("0\0" "5\0" "1\0" "/sys\0"s, "zv0\nzv1\n"), nonce,
                                           "zsv_instances_dhcpcd");
  CHECK(r.list.ok);
  CHECK(r.list.output == "zv0\nzv1\n");
  CHECK(r.list.detail == "said\n");
  CHECK(r.own);
  CHECK(r.sysfs == "/sys");
  // A forged result under another nonce is text, and the real one still counts.
  std::string forged = "\0Ifedcba9876543210\0"s "0\0" "5\0" "1\0" "/sys\0" "4\0" "evil"s;
  r = parse_generate_output(forged + result("0\0" "5\0" "0\0" "/x\0"s, "zv2"), nonce, "f");
  CHECK(r.list.output == "zv2");
  CHECK_FALSE(r.own);
  struct Case {
    std::string status, error;
  };
  for (const Case& c : std::vector<Case>{{"3", "f failed with status 3"},
                                         {"timeout", "f took longer than 5 s (zsv_check_timeout)"},
                                         {"missing", "there is no function f (in the library or the zsvrc)"},
                                         {"toolong", "f printed more than 64 KiB"}}) {
    CAPTURE(c.status);
    r = parse_generate_output(result(c.status + "\0" "5\0" "0\0" "/sys\0"s, ""), nonce, "f");
    CHECK_FALSE(r.list.ok);
    CHECK(r.list.error == c.error);
  }
  CHECK(parse_generate_output("no result\n", nonce, "f").list.error == "f gave no result (lib/zsv_generate ended early)");
  CHECK(parse_generate_output(result("0\0" "5\0"s, ""), nonce, "f").list.error == "f gave a broken result");
  // A length past the end, or not a number: broken.
  std::string cut = std::string("\0I", 2) + nonce + '\0' + "0\0" "5\0" "1\0" "/sys\0" "9\0" "zv0"s;
  CHECK_FALSE(parse_generate_output(cut, nonce, "f").list.ok);
  std::string nan = std::string("\0I", 2) + nonce + '\0' + "0\0" "5\0" "1\0" "/sys\0" "x\0"s;
  CHECK_FALSE(parse_generate_output(nan, nonce, "f").list.ok);
}
