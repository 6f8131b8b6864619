// native_check: one function per check, each a line-by-line reading of its zsh twin.
#include "native_check.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <sstream>
#include <csignal>
#include <ctime>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "netlink.h"
#include "service_settings.h"

namespace zsv {

namespace {

// zsh's $(<PATH): the whole file without its trailing newlines; nullopt when it cannot
// be opened or read (sysfs' carrier gives EINVAL while the interface is down). RAW
// keeps the newlines.
std::optional<std::string> slurp(const std::string& path, bool raw = false) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) { out.append(buf, static_cast<std::size_t>(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    ::close(fd);
    if (n < 0) return std::nullopt;
    break;
  }
  while (!raw && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// A hex word zsh's arithmetic would read as 0xWORD.
std::optional<std::uint64_t> hex_value(const std::string& s) {
  if (s.empty() || s.size() > 16 || !is_hex(s)) return std::nullopt;
  return std::stoull(s, nullptr, 16);
}

// An interface name the checks accept: not empty, no '/'.
bool iface_name(const std::string& s) { return !s.empty() && s.find('/') == std::string::npos; }

std::string net_dir(const NativeCheck& n, const std::string& iface) { return n.sysfs + "/class/net/" + iface; }

// The interface's sysfs flags ("0x1003"), checked as zsv_check_up checks them.
std::optional<std::uint64_t> iface_flags(const NativeCheck& n, const std::string& iface) {
  if (!iface_name(iface)) return std::nullopt;
  auto f = slurp(net_dir(n, iface) + "/flags");
  if (!f || f->compare(0, 2, "0x") != 0) return std::nullopt;
  return hex_value(f->substr(2));
}

bool check_up(const NativeCheck& n, const std::string& iface) {
  auto f = iface_flags(n, iface);
  return f && (*f & 0x1);
}

bool check_carrier(const NativeCheck& n, const std::string& iface) {
  return iface_name(iface) && slurp(net_dir(n, iface) + "/carrier").value_or("") == "1";
}

bool is_wireless(const NativeCheck& n, const std::string& iface) {
  std::string d = net_dir(n, iface);
  return exists(d + "/wireless") || exists(d + "/phy80211");
}

bool check_wifi(const NativeCheck& n, const std::string& iface) {
  return iface_name(iface) && is_wireless(n, iface) && slurp(net_dir(n, iface) + "/operstate").value_or("") == "up";
}

bool check_link(const NativeCheck& n, const std::string& iface) {
  if (!iface_name(iface)) return false;
  return is_wireless(n, iface) ? check_wifi(n, iface) : check_carrier(n, iface);
}

// The whitespace-separated fields of each line of a procfs table; zsh's `read -r a b c`
// puts the rest of the line in its last name, so LAST fields at most per line. A last
// line without its newline is not read, as `while read` does not read it.
std::vector<std::vector<std::string>> table_of(const std::string& path, std::size_t last) {
  std::vector<std::vector<std::string>> rows;
  auto text = slurp(path, true);
  if (!text) return rows;
  text->erase(text->find_last_of('\n') == std::string::npos ? 0 : text->find_last_of('\n') + 1);
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::size_t i = 0;
    while (f.size() < last) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= line.size()) break;
      std::size_t start = i;
      if (f.size() + 1 == last) {
        std::size_t end = line.find_last_not_of(" \t");
        f.push_back(line.substr(start, end + 1 - start));
        break;
      }
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      f.push_back(line.substr(start, i - start));
    }
    f.resize(last);
    rows.push_back(std::move(f));
  }
  return rows;
}

bool check_addr(const NativeCheck& n, const std::string& iface) {
  if (!iface_name(iface)) return false;
  // IPv6 from procfs: address index plen scope flags dev; global scope, not tentative
  // (0x40) nor DAD-failed (0x08).
  for (const auto& r : table_of(n.procfs + "/net/if_inet6", 6)) {
    if (r[5] != iface || r[3] != "00" || !is_hex(r[4])) continue;
    auto flags = hex_value(r[4]);
    if (flags && !(*flags & 0x48)) return true;
  }
  return has_global_ipv4(iface);
}

bool route_counts(const NativeCheck& n, const std::string& flags_word, const std::string& dev) {
  if (flags_word.empty() || !is_hex(flags_word)) return false;
  auto flags = hex_value(flags_word);
  if (!flags || !(*flags & 0x1) || (*flags & 0x200)) return false;
  if (*flags & 0x2) return true;  // RTF_GATEWAY
  auto dev_flags = iface_flags(n, dev);
  return dev_flags && (*dev_flags & 0x10);  // IFF_POINTOPOINT
}

bool check_route(const NativeCheck& n, const std::string& iface) {
  // /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
  for (const auto& r : table_of(n.procfs + "/net/route", 9)) {
    if (r[1] != "00000000" || r[7] != "00000000") continue;
    if (!iface.empty() && r[0] != iface) continue;
    if (route_counts(n, r[3], r[0])) return true;
  }
  // /proc/net/ipv6_route: dst dst-len src src-len next-hop metric ref use flags dev
  for (const auto& r : table_of(n.procfs + "/net/ipv6_route", 10)) {
    if (r[0] != "00000000000000000000000000000000" || r[1] != "00") continue;
    if (!iface.empty() && r[9] != iface) continue;
    if (route_counts(n, r[8], r[9])) return true;
  }
  return false;
}

bool check_rfkill(const NativeCheck& n, const std::string& type) {
  std::string dir = n.sysfs + "/class/rfkill";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return true;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (std::string_view(e->d_name).substr(0, 6) == "rfkill") names.emplace_back(e->d_name);
  ::closedir(d);
  for (const std::string& name : names) {
    std::string base = dir + "/" + name;
    auto t = slurp(base + "/type");
    if (!t) continue;
    if (!type.empty() && *t != type) continue;
    if (slurp(base + "/soft").value_or("") == "1" || slurp(base + "/hard").value_or("") == "1") return false;
  }
  return true;
}

// DIR/check run in DIR with nothing on its standard descriptors, as sv runs it: true
// when it exits 0 within 5 s (then its process group is killed and it counts as false).
bool readiness_holds(const std::string& dir) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::setpgid(0, 0);
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0 || ::chdir(dir.c_str()) != 0) ::_exit(127);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::execl("./check", "./check", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  int status = 0;
  for (int waited_ms = 0;; waited_ms += 5) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (r < 0 && errno != EINTR) return false;
    if (waited_ms >= 5000) break;
    ::usleep(5000);
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return false;
}

// The three fields of zsv/backoff (lib/zsv_backoff): waiting while the third, an epoch
// second, is still to come.
bool in_backoff(const std::string& dir) {
  auto b = parse_backoff(slurp(dir + "/zsv/backoff").value_or(""));
  return b && b->waiting(static_cast<long long>(::time(nullptr)));
}

bool check_service(const NativeCheck& n, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') return false;
  std::string dir = n.service_dir + "/" + name;
  if (slurp(dir + "/supervise/stat").value_or("").compare(0, 3, "run") != 0) return false;
  if (in_backoff(dir)) return false;
  return ::access((dir + "/check").c_str(), X_OK) != 0 || readiness_holds(dir);
}

}  // namespace

bool evaluate_native(const NativeCheck& n) {
  try {
    std::string a = n.args.empty() ? "" : n.args.front();
    if (n.check == "zsv_check_true") return true;
    if (n.check == "zsv_check_false") return false;
    if (n.check == "zsv_check_file") return !a.empty() && exists(a);
    if (n.check == "zsv_check_up") return check_up(n, a);
    if (n.check == "zsv_check_carrier") return check_carrier(n, a);
    if (n.check == "zsv_check_wifi") return check_wifi(n, a);
    if (n.check == "zsv_check_link") return check_link(n, a);
    if (n.check == "zsv_check_addr") return check_addr(n, a);
    if (n.check == "zsv_check_route") return check_route(n, a);
    if (n.check == "zsv_check_rfkill") return check_rfkill(n, a);
    if (n.check == "zsv_check_service") return check_service(n, a);
  } catch (const std::exception&) {
  }
  return false;
}

}  // namespace zsv
