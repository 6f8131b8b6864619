// eval_records: the record framing, read incrementally and bounded.
#include "eval_records.h"

#include <fmt/format.h>

namespace zsv {

namespace {

// A decimal number ending in ':' at POS of TEXT: its value and where the bytes after
// the ':' begin. npos for "not complete yet", and ERROR set when it cannot be one.
struct Number {
  std::size_t value = 0;
  std::size_t next = std::string_view::npos;
  bool bad = false;
};

Number read_number(std::string_view text, std::size_t pos, std::size_t max) {
  Number n;
  std::size_t digits = 0;
  for (std::size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (c == ':') {
      if (digits == 0) n.bad = true;
      else n.next = i + 1;
      return n;
    }
    if (c < '0' || c > '9' || digits == 10) { n.bad = true; return n; }
    n.value = n.value * 10 + static_cast<std::size_t>(c - '0');
    ++digits;
    if (n.value > max) { n.bad = true; return n; }
  }
  return n;  // need more
}

}  // namespace

std::string encode_record(char tag, const std::vector<std::string>& fields) {
  std::string out = fmt::format("{}{}:", tag, fields.size());
  for (const std::string& f : fields) {
    out += fmt::format("{}:", f.size());
    out += f;
  }
  return out;
}

RecordReader::Status RecordReader::fail(std::string why) {
  broken_ = true;
  why_ = std::move(why);
  return Status::malformed;
}

RecordReader::Status RecordReader::next(Record& out) {
  if (broken_) return Status::malformed;
  std::string_view text = buf_;
  if (pos_ == text.size()) return Status::need_more;
  char tag = text[pos_];
  if (tag < 'A' || tag > 'Z')
    return fail(fmt::format("a record begins with byte 0x{:02x}, not a tag letter", static_cast<unsigned char>(tag)));
  Number count = read_number(text, pos_ + 1, max_record_fields);
  if (count.bad) return fail(fmt::format("record '{}' has no valid field count", tag));
  if (count.next == std::string_view::npos) return Status::need_more;
  Record r;
  r.tag = tag;
  std::size_t p = count.next;
  for (std::size_t k = 0; k < count.value; ++k) {
    Number len = read_number(text, p, max_field_bytes);
    if (len.bad) return fail(fmt::format("field {} of record '{}' has no valid length", k + 1, tag));
    if (len.next == std::string_view::npos || text.size() - len.next < len.value) return Status::need_more;
    r.fields.emplace_back(text.substr(len.next, len.value));
    p = len.next + len.value;
  }
  pos_ = p;
  // Keep the buffer from growing with what has been read.
  if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  out = std::move(r);
  return Status::record;
}

bool parse_records(std::string_view text, std::vector<Record>& out, std::string& why) {
  RecordReader reader;
  reader.feed(text);
  Record r;
  for (;;) {
    switch (reader.next(r)) {
      case RecordReader::Status::record: out.push_back(std::move(r)); break;
      case RecordReader::Status::need_more:
        if (reader.empty()) return true;
        why = "it ends inside a record";
        return false;
      case RecordReader::Status::malformed: why = reader.why(); return false;
    }
  }
}

}  // namespace zsv
