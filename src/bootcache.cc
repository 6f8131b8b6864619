// bootcache: one file per service under CACHE/<digest of the service directory>/.
#include "bootcache.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace zsv {

namespace {

const char* const magic = "zsv-cache 1\n";

bool trustworthy(int fd, bool want_dir) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) return false;
  return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

// Opens (creating when CREATE) directory NAME under AT (AT_FDCWD for a path), refusing
// a symlink and anything not ours.
Fd open_trusted_dir(int at, const std::string& name, bool create) {
  if (create && ::mkdirat(at, name.c_str(), 0700) != 0 && errno != EEXIST) return Fd();
  Fd fd(::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd || !trustworthy(fd.get(), true)) return Fd();
  return fd;
}

bool managed(const std::string& path) {
  const auto& p = managed_paths();
  return std::find(p.begin(), p.end(), path) != p.end();
}

LiveService as_live(const std::string& name, const std::map<std::string, std::pair<std::string, bool>>& files) {
  LiveService s;
  s.name = name;
  s.ours = true;
  for (const auto& [path, f] : files) s.files.emplace(path, f.first);
  s.has_log_dir = files.count("log/run") > 0;
  return s;
}

void write_entry(int dirfd, const std::string& name, const std::string& text) {
  std::string tmp = "." + name + ".tmp";
  Fd fd(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return;
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { ::unlinkat(dirfd, tmp.c_str(), 0); return; }
    done += static_cast<std::size_t>(n);
  }
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) ::unlinkat(dirfd, tmp.c_str(), 0);
}

}  // namespace

std::string cache_text(const std::map<std::string, std::pair<std::string, bool>>& files) {
  std::string out = magic;
  for (const auto& [path, f] : files) out += fmt::format("{} {} {}\n{}\n", path, f.second ? 1 : 0, f.first.size(), f.first);
  return out;
}

std::optional<std::map<std::string, std::pair<std::string, bool>>> parse_cache_text(const std::string& text) {
  std::map<std::string, std::pair<std::string, bool>> files;
  std::string_view m = magic;
  if (text.compare(0, m.size(), m) != 0) return std::nullopt;
  std::size_t pos = m.size();
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) return std::nullopt;
    std::string head = text.substr(pos, nl - pos);
    auto s1 = head.find(' '), s2 = head.rfind(' ');
    if (s1 == std::string::npos || s2 == s1) return std::nullopt;
    std::string path = head.substr(0, s1), exec = head.substr(s1 + 1, s2 - s1 - 1), len = head.substr(s2 + 1);
    if (!managed(path) || (exec != "0" && exec != "1") || len.empty() || len.size() > 9 ||
        len.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    std::size_t n = std::stoul(len), start = nl + 1;
    if (start + n + 1 > text.size() || text[start + n] != '\n') return std::nullopt;
    if (!files.emplace(path, std::make_pair(text.substr(start, n), exec == "1")).second) return std::nullopt;
    pos = start + n + 1;
  }
  return files;
}

BootCache::BootCache(std::string cache_dir, const std::string& service_dir)
    : dir_(std::move(cache_dir)), sub_(digest(service_dir)) {}

Fd BootCache::open(bool create) {
  if (dir_.empty()) return Fd();
  if (create) make_dirs(dir_);
  Fd top = open_trusted_dir(AT_FDCWD, dir_, false);
  if (!top) return Fd();
  return open_trusted_dir(top.get(), sub_, create);
}

std::optional<LiveService> BootCache::find(const std::string& name) {
  try {
    if (!fd_) fd_ = open(false);
    if (!*fd_) return std::nullopt;
    Fd f(::openat(fd_->get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!f || !trustworthy(f.get(), false)) return std::nullopt;
    std::string text;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(f.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::nullopt;
      if (n == 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      if (text.size() > (16u << 20)) return std::nullopt;
    }
    auto files = parse_cache_text(text);
    if (!files) return std::nullopt;
    return as_live(name, *files);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void BootCache::update(const std::vector<DesiredService>& desired, const std::set<std::string>& keep,
                       const std::set<std::string>& from_cache, int treefd, bool prune) {
  if (dir_.empty()) return;
  try {
    Fd fd = open(true);
    if (!fd) return;
    std::vector<std::string> present = list_dir(fd.get());
    std::set<std::string> have(present.begin(), present.end()), wanted;
    for (const DesiredService& d : desired) {
      wanted.insert(d.name);
      if (from_cache.count(d.name)) continue;
      std::map<std::string, std::pair<std::string, bool>> files;
      if (!d.reused) {
        for (const File& f : d.files) files[f.path] = {f.content, f.executable};
      } else if (!have.count(d.name)) {
        Fd svc = open_dir_at(treefd, d.name);
        if (!svc) continue;
        for (const std::string& p : managed_paths())
          if (auto text = read_file_at(svc.get(), p)) files[p] = {*text, is_script(p)};
      } else {
        continue;
      }
      write_entry(fd.get(), d.name, cache_text(files));
    }
    if (prune)
      for (const std::string& n : present)
        if (n != ".zsv-settings" && n != ".zsv-generators" && (n.front() == '.' || (!wanted.count(n) && !keep.count(n))))
          ::unlinkat(fd.get(), n.c_str(), 0);
  } catch (const std::exception&) {
  }
}

}  // namespace zsv
