// fuzz_records: libFuzzer target for zsvgen's record reader and the session that
// charges records to entries. After entry 0 has reported and ended, the fuzzer's bytes
// arrive as if written during entry 1's turn (by its code, forging or not), in pieces
// the first byte chooses. Invariants: no crash and no sanitizer report; entry 0's
// result is exactly what its own records said; the reader gives the same records
// whatever the pieces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval_records.h"
#include "eval_session.h"

using namespace zsv;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

const std::string nonce0 = "0123456789abcdef", nonce1 = "fedcba9876543210";

std::string genuine_prefix() {
  std::string body = encode_record('R', {"E", "zsv_run_default", "zsv_log_default", "zsv_check_true"}) +
                     encode_record('T', {"backoff_max", "60"}) +
                     encode_record('D', {"v", "run", "typeset -ga run; run=( 'sleep' '1' )"});
  return encode_record('L', {"/lib/zsv_config"}) + encode_record('H', {"zsv_logroot", "/var/log/zsv"}) +
         encode_record('D', {"f", "zsv_run_default", "exec \"${run[@]}\""}) + encode_record('G', {""}) +
         encode_record('S', {}) + encode_record('R', {"0", nonce0, body}) + encode_record('C', {"0", nonce0, "0"});
}

std::vector<Record> read_all(std::string_view bytes, std::size_t piece, RecordReader::Status& last) {
  RecordReader r;
  std::vector<Record> out;
  last = RecordReader::Status::need_more;
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    r.feed(bytes.substr(i, piece));
    Record one;
    while ((last = r.next(one)) == RecordReader::Status::record) out.push_back(one);
    if (last == RecordReader::Status::malformed) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::size_t piece = size == 0 ? 1 : 1 + static_cast<std::uint8_t>(bytes[0]) % 17;

  RecordReader::Status whole_status, piece_status;
  auto whole = read_all(bytes, bytes.size() + 1, whole_status);
  auto pieces = read_all(bytes, piece, piece_status);
  require(whole == pieces && whole_status == piece_status);

  Evaluation ev;
  ev.outcomes.resize(3);
  Session s(ev, "/lib/zsv_config");
  s.start({{0, nonce0, false}, {1, nonce1, false}, {2, "aaaaaaaaaaaaaaaa", true}});
  require(s.feed(genuine_prefix()));
  require(ev.outcomes[0].resolved != nullptr && ev.outcomes[0].condition && ev.outcomes[0].error.empty());
  require(ev.outcomes[0].resolved->run.vars.find("'sleep'") != std::string::npos);
  const Outcome before = ev.outcomes[0];
  for (std::size_t i = 0; i < bytes.size(); i += piece)
    if (!s.feed(bytes.substr(i, piece))) break;
  const Outcome& after = ev.outcomes[0];
  require(after.resolved != nullptr && after.error.empty() && after.condition == before.condition);
  require(after.resolved->runf == before.resolved->runf && after.resolved->run == before.resolved->run &&
          after.resolved->check == before.resolved->check && after.resolved->log == before.resolved->log);
  std::vector<Record> recs;
  std::string why;
  parse_records(bytes, recs, why);
  return 0;
}
