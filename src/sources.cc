// sources: reading svtab and svtab.d/*.svtab into one parsed svtab.
#include "sources.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "fsutil.h"

namespace zsv {

namespace {

// No svtab is this long; a larger file is a mistake (a log, an image), not input.
constexpr off_t max_source_bytes = 16 << 20;

Diagnostic file_error(const std::string& path, const std::string& message) {
  return make_diagnostic(Severity::error, {path, 0, 0}, message);
}

// The text of PATH, following a symlink; a FIFO or device is refused before any read
// could block on it (O_NONBLOCK, then fstat).
std::optional<std::string> read_source(const std::string& path, std::vector<Diagnostic>& diags) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) {
    diags.push_back(file_error(path, fmt::format("cannot read: {}", std::strerror(errno))));
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    diags.push_back(file_error(path, "cannot read: not a regular file"));
    return std::nullopt;
  }
  if (st.st_size > max_source_bytes) {
    diags.push_back(file_error(path, fmt::format("cannot read: {} bytes; at most {} are read",
                                                 st.st_size, max_source_bytes)));
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diags.push_back(file_error(path, fmt::format("cannot read: {}", std::strerror(errno))));
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > static_cast<std::size_t>(max_source_bytes)) {
      diags.push_back(file_error(path, "cannot read: it grew while being read"));
      return std::nullopt;
    }
  }
  return text;
}

// The names in DIR, or none when it does not exist; another failure is an error.
std::vector<std::string> read_dir_names(const std::string& dir, std::vector<Diagnostic>& diags) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno != ENOENT) diags.push_back(file_error(dir, fmt::format("cannot read the directory: {}", std::strerror(errno))));
    return {};
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* de = ::readdir(d)) names.emplace_back(de->d_name);
  int err = errno;
  ::closedir(d);
  if (err != 0) diags.push_back(file_error(dir, fmt::format("cannot read the directory: {}", std::strerror(err))));
  return names;
}

}  // namespace

std::vector<std::string> fragment_names(const std::vector<std::string>& dir_entries) {
  static const std::string suffix = ".svtab";
  std::vector<std::string> out;
  for (const std::string& n : dir_entries)
    if (n.size() > suffix.size() && n.front() != '.' &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

Svtab parse_sources(const std::vector<SourceFile>& files) {
  Svtab all;
  std::map<std::string, Location> first;  // name -> where it was first defined
  for (const SourceFile& f : files) {
    Svtab one = parse_svtab(f.text, f.path);
    all.diags.insert(all.diags.end(), one.diags.begin(), one.diags.end());
    for (Entry& e : one.entries) {
      auto [it, fresh] = first.emplace(e.name, e.loc);
      if (!fresh) {
        all.diags.push_back(make_diagnostic(Severity::error, {e.loc.file, e.loc.line, 1},
            fmt::format("duplicate service '{}' (first defined at {}:{})", e.name, it->second.file,
                        it->second.line),
            e.source_line));
        continue;
      }
      all.entries.push_back(std::move(e));
    }
  }
  return all;
}

Svtab read_sources(const std::string& svtab, const std::string& svtab_d) {
  std::vector<Diagnostic> diags;
  std::vector<SourceFile> files;
  if (auto text = read_source(svtab, diags)) files.push_back({svtab, std::move(*text)});
  if (!svtab_d.empty()) {
    std::string dir = svtab_d.back() == '/' ? svtab_d.substr(0, svtab_d.size() - 1) : svtab_d;
    for (const std::string& name : fragment_names(read_dir_names(svtab_d, diags))) {
      std::string path = dir + "/" + name;
      if (auto text = read_source(path, diags)) files.push_back({path, std::move(*text)});
    }
  }
  Svtab tab = parse_sources(files);
  if (!diags.empty()) {
    tab.diags.insert(tab.diags.begin(), diags.begin(), diags.end());
    tab.entries.clear();
  }
  return tab;
}

}  // namespace zsv
