// eval_records: the framing of the evaluator's records (lib/zsv_eval). Pure, and
// total: any bytes give records or a "malformed" verdict, never an exception.
//
// A record is a tag letter (A-Z), its field count in decimal and ':', then each
// field as its length in decimal, ':' and that many bytes. No byte of a field is
// special, so every value zsh can hold (NUL included) is carried as it is.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace zsv {

struct Record {
  char tag = 0;
  std::vector<std::string> fields;
  bool operator==(const Record&) const = default;
};

// Bounds past which a record is malformed rather than merely large.
inline constexpr std::size_t max_record_fields = 64;
inline constexpr std::size_t max_field_bytes = std::size_t{1} << 30;

// The bytes of one record (what lib/zsv_eval's __zsv_add writes).
std::string encode_record(char tag, const std::vector<std::string>& fields);

// Reads records from a stream that arrives in pieces.
class RecordReader {
 public:
  enum class Status { record, need_more, malformed };

  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next complete record into OUT; once malformed, stays malformed (the stream's
  // framing is lost) and WHY says what was wrong.
  Status next(Record& out);
  const std::string& why() const { return why_; }
  bool empty() const { return pos_ == buf_.size(); }

 private:
  Status fail(std::string why);
  std::string buf_;
  std::size_t pos_ = 0;
  bool broken_ = false;
  std::string why_;
};

// Every record of a complete text (an entry's report); false, with WHY, when the text
// is not a sequence of whole records.
bool parse_records(std::string_view text, std::vector<Record>& out, std::string& why);

}  // namespace zsv
