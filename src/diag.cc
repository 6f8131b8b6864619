// diag: formatting of diagnostics in the compiler style (file:line:col, line, caret).
#include "diag.h"

#include <algorithm>
#include <fmt/format.h>

namespace zsv {

namespace {
const char* severity_word(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}
// A long source line is cut to the bytes around the column, marked with "...".
constexpr std::size_t excerpt_context = 60;

struct Excerpt {
  std::string text;
  std::size_t caret = 0;  // offset of the caret in TEXT
};

Excerpt excerpt(const std::string& line, int col) {
  std::size_t at = col > 1 ? std::min(static_cast<std::size_t>(col - 1), line.size()) : 0;
  if (line.size() <= 2 * excerpt_context + 40) return {line, at};
  std::size_t from = at > excerpt_context ? at - excerpt_context : 0;
  std::size_t to = std::min(line.size(), at + excerpt_context);
  Excerpt x;
  if (from > 0) x.text = "...";
  x.caret = x.text.size() + (at - from);
  x.text += line.substr(from, to - from);
  if (to < line.size()) x.text += "...";
  return x;
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string out;
  if (d.loc.line > 0)
    out = fmt::format("{}:{}:{}: {}: {}\n", d.loc.file, d.loc.line, std::max(d.loc.col, 1),
                      severity_word(d.severity), d.message);
  else
    out = fmt::format("{}: {}: {}\n", d.loc.file, severity_word(d.severity), d.message);
  if (!d.source_line.empty() && d.loc.line > 0) {
    Excerpt x = excerpt(d.source_line, d.loc.col);
    out += fmt::format("  {}\n", x.text);
    // Keep tabs in the caret line so the caret lines up under tabbed source.
    std::string pad;
    for (std::size_t i = 0; i < x.caret && i < x.text.size(); ++i) pad += x.text[i] == '\t' ? '\t' : ' ';
    out += fmt::format("  {}^\n", pad);
  }
  std::size_t pos = 0;
  while (pos < d.detail.size()) {
    auto nl = d.detail.find('\n', pos);
    if (nl == std::string::npos) nl = d.detail.size();
    out += fmt::format("    {}\n", std::string_view(d.detail).substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

Diagnostic make_diagnostic(Severity severity, Location loc, std::string message,
                           std::string source_line, std::string detail) {
  Diagnostic d;
  d.severity = severity;
  d.loc = std::move(loc);
  d.message = std::move(message);
  d.source_line = std::move(source_line);
  d.detail = std::move(detail);
  return d;
}

bool has_errors(const std::vector<Diagnostic>& diags) {
  return std::any_of(diags.begin(), diags.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace zsv
