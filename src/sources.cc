// sources: reading svtab and svtab.d/*.svtab into one parsed svtab.
#include "sources.h"

#include "inputs.h"

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

Diagnostic file_error(const std::string& path, const std::string& message) {
  return make_diagnostic(Severity::error, {path, 0, 0}, message);
}

// The text of PATH, following a symlink; a FIFO or device is refused before any read
// could block on it, and a file over LIMIT bytes is refused (inputs.h).
std::optional<std::string> read_source(const std::string& path, std::size_t limit, std::vector<Diagnostic>& diags) {
  InputText in = read_input(path, limit);
  if (in.missing) in.error = fmt::format("cannot read: {}", std::strerror(ENOENT));
  if (!in.error.empty()) {
    diags.push_back(file_error(path, in.error));
    return std::nullopt;
  }
  return std::move(in.text);
}

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
    for (auto [from, into] : {std::pair{&one.entries, &all.entries}, std::pair{&one.generators, &all.generators}})
      for (Entry& e : *from) {
        auto [it, fresh] = first.emplace(e.name, e.loc);
        if (!fresh) {
          all.diags.push_back(make_diagnostic(Severity::error, {e.loc.file, e.loc.line, 1},
              fmt::format("duplicate service '{}' (first defined at {}:{})", e.name, it->second.file,
                          it->second.line),
              e.source_line));
          continue;
        }
        into->push_back(std::move(e));
      }
  }
  return all;
}

Svtab read_sources(const std::string& svtab, const std::string& svtab_d, std::size_t limit) {
  std::vector<Diagnostic> diags;
  std::vector<SourceFile> files;
  if (auto text = read_source(svtab, limit, diags)) files.push_back({svtab, std::move(*text)});
  if (!svtab_d.empty()) {
    std::string dir = svtab_d.back() == '/' ? svtab_d.substr(0, svtab_d.size() - 1) : svtab_d;
    for (const std::string& name : fragment_names(read_dir_names(svtab_d, diags))) {
      std::string path = dir + "/" + name;
      if (auto text = read_source(path, limit, diags)) files.push_back({path, std::move(*text)});
    }
  }
  Svtab tab = parse_sources(files);
  if (!diags.empty()) {
    tab.diags.insert(tab.diags.begin(), diags.begin(), diags.end());
    tab.entries.clear();
    tab.generators.clear();
  }
  return tab;
}

}  // namespace zsv
