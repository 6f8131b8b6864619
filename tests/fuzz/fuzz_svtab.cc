// fuzz_svtab: libFuzzer target for the svtab parser (SPEC §1). Any bytes: no crash and
// no sanitizer report, and the invariants hold: every accepted name obeys the name
// rule, every line of an entry's code is the text of the svtab line it maps to,
// every diagnostic has a line >= 1 and a column inside that line (or just past it),
// and parsing the same bytes twice gives the same result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "svtab.h"

using namespace zsv;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool same(const Svtab& a, const Svtab& b) {
  if (a.entries.size() != b.entries.size() || a.diags.size() != b.diags.size()) return false;
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    const Entry &x = a.entries[i], &y = b.entries[i];
    if (x.name != y.name || x.flags != y.flags || x.code != y.code || x.code_lines != y.code_lines) return false;
  }
  for (std::size_t i = 0; i < a.diags.size(); ++i)
    if (format_diagnostic(a.diags[i]) != format_diagnostic(b.diags[i])) return false;
  return true;
}

void check_entry(const Entry& e, const std::vector<std::string_view>& lines) {
  require(check_service_name(e.name).message.empty());
  require(e.loc.line >= 1 && static_cast<std::size_t>(e.loc.line) <= lines.size());
  require(e.code.find('\0') == std::string::npos);
  const std::string joined = e.code + "\n";
  std::vector<std::string_view> code = e.code_lines.empty() ? std::vector<std::string_view>{} : lines_of(joined);
  require(code.size() == e.code_lines.size());
  for (std::size_t k = 0; k < code.size(); ++k) {
    int n = e.code_lines[k];
    require(n >= e.loc.line && static_cast<std::size_t>(n) <= lines.size());
    std::string_view src = lines[static_cast<std::size_t>(n) - 1];
    if (n == e.loc.line) require(src.size() >= code[k].size() && src.substr(src.size() - code[k].size()) == code[k]);
    else if (code[k].empty()) require(src.find_first_not_of(" \t\r") == std::string_view::npos);
    else require(src == code[k]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Svtab a = parse_svtab(text, "svtab");
  require(same(a, parse_svtab(text, "svtab")));
  std::vector<std::string_view> lines = lines_of(text);
  for (const Entry& e : a.entries) check_entry(e, lines);
  for (const Diagnostic& d : a.diags) {
    require(d.loc.line >= 1 && static_cast<std::size_t>(d.loc.line) <= lines.size());
    std::size_t len = lines[static_cast<std::size_t>(d.loc.line) - 1].size();
    require(d.loc.col >= 1 && static_cast<std::size_t>(d.loc.col) <= len + 1);
    require(format_diagnostic(d).size() < 2048);
  }
  return 0;
}
