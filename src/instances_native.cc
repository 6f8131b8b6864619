// instances_native: $zsv_sysfs/class/net read as zsv_instances_dhcpcd reads it.
#include "instances_native.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace zsv {

namespace {

// The text of PATH with its trailing newlines cut, as zsh's $(<PATH); nullopt when it
// cannot be read. Small files only (sysfs attributes).
std::optional<std::string> read_attr(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return std::nullopt;
  std::string s(buf, static_cast<std::size_t>(n));
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// zsv_instances_dhcpcd: every interface of type 1 but lo and enslaved ports, in name order.
std::string dhcpcd_instances(const std::string& sysfs) {
  std::string dir = sysfs + "/class/net";
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* de = ::readdir(d))
      if (de->d_name[0] != '.') names.emplace_back(de->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  struct stat st;
  for (const std::string& n : names) {
    std::string path = dir + "/" + n;
    if (n == "lo" || ::lstat((path + "/master").c_str(), &st) == 0) continue;
    if (read_attr(path + "/type") == "1") out += n + "\n";
  }
  return out;
}

}  // namespace

std::optional<std::string> native_instances(const std::string& prefix, const std::string& sysfs) {
  if (prefix == "dhcpcd") return dhcpcd_instances(sysfs);
  return std::nullopt;
}

}  // namespace zsv
