// diag: the one diagnostic type; every error zsv reports is a Diagnostic.
#pragma once
#include <string>
#include <vector>

namespace zsv {

struct Location {
  std::string file;
  int line = 0;  // 1-based; 0 when the message is about the whole file
  int col = 0;   // 1-based byte column
};

enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  Location loc;
  std::string message;
  std::string source_line;  // the line the caret points into; empty for none
  std::string detail;       // more text after the caret (e.g. what zsh said), indented
};

Diagnostic make_diagnostic(Severity severity, Location loc, std::string message,
                           std::string source_line = {}, std::string detail = {});

// "FILE:LINE:COL: error: MESSAGE", then the source line and a caret under COL.
std::string format_diagnostic(const Diagnostic& d);

bool has_errors(const std::vector<Diagnostic>& diags);

}  // namespace zsv
