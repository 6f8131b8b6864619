// Tests of the evaluator's record framing (eval_records) and of who each record is
// charged to (eval_session): bytes that break or forge records hurt only their writer.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "diag.h"
#include "eval_records.h"
#include "eval_session.h"
#include "svtab.h"

using namespace zsv;

namespace {

std::string rec(char tag, std::vector<std::string> fields) { return encode_record(tag, fields); }

const std::string nonce_a = "aaaaaaaaaaaaaaaa", nonce_b = "bbbbbbbbbbbbbbbb";

std::string header() {
  return rec('L', {"/lib/zsv_config"}) + rec('H', {"zsv_logroot", "/var/log/zsv"}) +
         rec('D', {"f", "zsv_run_default", "exec \"${run[@]}\""}) + rec('G', {""}) + rec('S', {});
}

std::string report(const std::string& index, const std::string& nonce, const std::string& run) {
  std::string body = rec('R', {"E", "zsv_run_default", "zsv_log_default", "zsv_check_true"}) +
                     rec('T', {"backoff_max", "60"}) +
                     rec('D', {"v", "run", "typeset -ga run; run=( '" + run + "' )"});
  return rec('R', {index, nonce, body});
}

struct Fixture {
  Evaluation ev;
  Session s{ev, "/lib/zsv_config"};
  Fixture() {
    ev.outcomes.resize(2);
    s.start({{0, nonce_a, false}, {1, nonce_b, false}});
  }
};

}  // namespace

TEST_CASE("records: fields carry every byte, in any pieces") {
  std::string nul_and_seps("a\0b\x1e" "c\x1f:9:", 9);
  std::string bytes = rec('X', {nul_and_seps, "", "x"}) + rec('S', {});
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, bytes.size()}) {
    RecordReader r;
    std::vector<Record> got;
    for (std::size_t i = 0; i < bytes.size(); i += piece) {
      r.feed(std::string_view(bytes).substr(i, piece));
      Record one;
      while (r.next(one) == RecordReader::Status::record) got.push_back(one);
    }
    REQUIRE(got.size() == 2);
    CHECK(got[0] == Record{'X', {nul_and_seps, "", "x"}});
    CHECK(got[1] == Record{'S', {}});
  }
}

TEST_CASE("records: garbage is malformed, never an exception") {
  for (std::string bad : {std::string("r1:1:x"), std::string("R\0", 2), std::string("R1:x:"), std::string("R99:"),
                          std::string("R1:99999999999:"), std::string("R:"), std::string("R1::")}) {
    RecordReader r;
    r.feed(bad);
    Record one;
    CHECK(r.next(one) == RecordReader::Status::malformed);
    CHECK(!r.why().empty());
  }
  std::vector<Record> out;
  std::string why;
  CHECK(!parse_records("R1:5:ab", out, why));
  CHECK(why == "it ends inside a record");
}

TEST_CASE("session: each entry gets its own report and status") {
  Fixture f;
  CHECK(f.s.feed(header() + report("0", nonce_a, "one") + rec('C', {"0", nonce_a, "0"})));
  CHECK(f.s.current()->index == 1);
  CHECK(f.s.feed(report("1", nonce_b, "two") + rec('C', {"1", nonce_b, "1"})));
  REQUIRE(f.ev.outcomes[0].resolved);
  CHECK(f.ev.outcomes[0].resolved->run.vars.find("'one'") != std::string::npos);
  CHECK(f.ev.outcomes[0].condition);
  REQUIRE(f.ev.outcomes[1].resolved);
  CHECK(!f.ev.outcomes[1].condition);
  CHECK(f.s.phase() == Session::Phase::done);
}

TEST_CASE("session: a forged record fails its writer, and the victim keeps its result") {
  for (std::string forged : {report("0", nonce_a, "evil"), report("0", "0000000000000000", "evil"),
                             report("1", "0000000000000000", "evil"), rec('C', {"1", nonce_a, "0"}),
                             rec('H', {"zsv_logroot", "/"}), rec('S', {})}) {
    Fixture f;
    CHECK(f.s.feed(header() + report("0", nonce_a, "one") + rec('C', {"0", nonce_a, "0"})));
    CHECK(f.s.feed(forged));
    CHECK(f.s.feed(report("1", nonce_b, "two") + rec('C', {"1", nonce_b, "0"})));
    REQUIRE(f.ev.outcomes[0].resolved);
    CHECK(f.ev.outcomes[0].resolved->run.vars.find("'one'") != std::string::npos);
    CHECK(!f.ev.outcomes[1].resolved);
    CHECK(f.ev.outcomes[1].error.find("not its own") != std::string::npos);
  }
}

TEST_CASE("session: malformed bytes in an entry's turn fail that entry and end the evaluator") {
  Fixture f;
  CHECK(f.s.feed(header() + report("0", nonce_a, "one") + rec('C', {"0", nonce_a, "0"})));
  CHECK(!f.s.feed(std::string("R\0" "0\0", 4)));
  CHECK(f.ev.outcomes[0].resolved);
  CHECK(f.ev.outcomes[1].error.find("malformed") != std::string::npos);
  CHECK(f.s.left().empty());
}

TEST_CASE("session: zsvrc settings are checked once, as a load error at the file") {
  struct Case {
    std::vector<std::string> h;
    const char* error;
  };
  std::vector<Case> cases = {
      {{"zsv_logroot", "/l", "zsv_flags", "EZ"}, "zsv_flags: unknown flag 'Z' (known flags: E, M, N)"},
      {{"zsv_logroot", "/l", "zsv_resolve_timeout", "1e300"},
       "zsv_resolve_timeout: '1e300' is not a number of seconds above 0 and at most 3600"},
      {{"zsv_logroot", "/l", "zsv_check_timeout", "0"},
       "zsv_check_timeout: '0' is not a number of seconds above 0 and at most 3600"},
      {{}, "zsv_logroot is not set: the loggers would have nowhere to write"},
      {{"zsv_logroot", "log"}, "zsv_logroot: 'log' is not an absolute path"},
  };
  for (const Case& c : cases) {
    Fixture f;
    f.s.feed(rec('L', {"/etc/zsvrc"}) + rec('H', c.h) + rec('S', {}));
    CHECK(f.ev.load_error == c.error);
    CHECK(f.ev.load_loc.file == "/etc/zsvrc");
    CHECK(f.s.left().empty());
  }
  Fixture ok;
  ok.s.feed(rec('H', {"zsv_logroot", "/l", "zsv_resolve_timeout", "2.5", "zsv_check_timeout", "1"}));
  CHECK(ok.ev.load_error.empty());
  CHECK(ok.ev.resolve_timeout.count() == 2500);
  CHECK(ok.ev.check_timeout.count() == 1000);
}

TEST_CASE("svtab: a NUL byte anywhere is an error at its column") {
  Svtab t = parse_svtab(std::string("a::x\n  y\0z\nb\n", 13), "svtab");
  REQUIRE(t.diags.size() == 1);
  CHECK(t.diags[0].loc.line == 2);
  CHECK(t.diags[0].loc.col == 4);
}

TEST_CASE("diag: a long source line is cut around the column") {
  std::string line(1 << 20, 'n');
  line += '/';
  Diagnostic d = make_diagnostic(Severity::error, {"svtab", 1, static_cast<int>(line.size())}, "bad", line);
  std::string text = format_diagnostic(d);
  CHECK(text.size() < 400);
  CHECK(text.find("svtab:1:1048577: error: bad\n  ...nnn") == 0);
  auto caret = text.find('^');
  auto slash = text.find('/');
  CHECK(caret - text.rfind('\n', caret) == slash - text.rfind('\n', slash));
}

TEST_CASE("session: the service settings are taken from T, checked, and fail only their entry") {
  auto body = [](std::vector<std::string> t) {
    return rec('R', {"E", "zsv_run_default", "zsv_log_default", "zsv_check_true"}) + rec('T', t) +
           rec('D', {"v", "run", "typeset -ga run; run=( 'x' )"});
  };
  SystemNames names{[](const std::string& u) { return u == "alice"; }, [](const std::string&) { return true; },
                    [](const std::string&) { return true; }};
  Evaluation ev;
  ev.outcomes.resize(2);
  Session s{ev, "/lib/zsv_config", names};
  s.start({{0, nonce_a, false}, {1, nonce_b, false}});
  CHECK(s.feed(header() + rec('R', {"0", nonce_a, body({"user", "alice", "backoff_max", "8"})}) +
               rec('C', {"0", nonce_a, "0"})));
  CHECK(s.feed(rec('R', {"1", nonce_b, body({"user", "bob", "backoff_max", "8"})}) + rec('C', {"1", nonce_b, "0"})));
  REQUIRE(ev.outcomes[0].resolved);
  CHECK(ev.outcomes[0].resolved->settings.user == "alice");
  CHECK(ev.outcomes[0].resolved->run_prelude.find("zsv_backoff 8\n") == 0);
  CHECK(ev.outcomes[0].resolved->run.functions.find("zsv_run_default ()") != std::string::npos);
  CHECK(!ev.outcomes[1].resolved);
  CHECK(ev.outcomes[1].error == "user 'bob' does not exist");
}

TEST_CASE("session: a report without its T record is malformed") {
  Fixture f;
  std::string body = rec('R', {"E", "zsv_run_default", "zsv_log_default", "zsv_check_true"}) +
                     rec('D', {"v", "run", "typeset -ga run; run=( 'x' )"});
  CHECK(f.s.feed(header() + rec('R', {"0", nonce_a, body}) + rec('C', {"0", nonce_a, "0"})));
  CHECK(!f.ev.outcomes[0].resolved);
  CHECK(f.ev.outcomes[0].error.find("malformed") != std::string::npos);
}
