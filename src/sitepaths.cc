// sitepaths: parse and read the site's path defaults file (see sitepaths.h).
#include "sitepaths.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zsv {

namespace {

constexpr std::size_t kMaxSize = 64 * 1024;  // a few lines; more is not this file

bool valid_name(std::string_view name) {
  if (name.size() <= 4 || name.substr(0, 4) != "ZSV_") return false;
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Diagnostic file_warning(const std::string& file, std::string message) {
  return make_diagnostic(Severity::warning, Location{file, 0, 0}, std::move(message));
}

}  // namespace

SitePaths parse_site_paths(std::string_view text, const std::string& file) {
  SitePaths out;
  int lineno = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::size_t eq = line.find('=');
    std::string_view name = line.substr(0, eq);
    if (eq == std::string_view::npos || !valid_name(name)) {
      out.diags.push_back(make_diagnostic(Severity::warning, Location{file, lineno, 1},
                                          "expected ZSV_NAME=VALUE; line ignored",
                                          std::string(line)));
      continue;
    }
    out.values[std::string(name)] = std::string(line.substr(eq + 1));
  }
  return out;
}

SitePaths read_site_paths(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return {};
    return {{}, {file_warning(file, std::string("cannot read: ") + std::strerror(errno))}};
  }
  struct stat st;
  std::string text;
  std::string problem;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = "not a regular file; ignored";
  } else if (static_cast<std::size_t>(st.st_size) > kMaxSize) {
    problem = "larger than 64 KiB; ignored";
  } else {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxSize)
      text.append(buf, static_cast<std::size_t>(n));
    if (n < 0) problem = std::string("cannot read: ") + std::strerror(errno);
  }
  ::close(fd);
  if (!problem.empty()) return {{}, {file_warning(file, problem)}};
  return parse_site_paths(text, file);
}

}  // namespace zsv
