// livetree: scanning the service directory for zsv's services and their files.
#include "livetree.h"

#include <algorithm>

#include "fsutil.h"

namespace zsv {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::optional<Want> parse_want(const std::string& text) {
  if (text == "up\n") return Want::up;
  if (text == "down\n") return Want::down;
  if (text == "manual\n") return Want::manual;
  return std::nullopt;
}

using Listing = std::vector<std::pair<std::string, EntryType>>;

EntryType type_in(const Listing& l, const std::string& name) {
  auto it = std::lower_bound(l.begin(), l.end(), std::make_pair(name, EntryType::missing));
  return it != l.end() && it->first == name ? it->second : EntryType::missing;
}

void collect_temps(const Listing& l, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [n, type] : l)
    if (n.front() == '.' && ends_with(n, ".zsv-tmp")) out.push_back(prefix + n);
}

// Reads the regular files NAMES of directory FD (listed in L) into S.files under PREFIX.
// A symlink or anything else where zsv's file should be reads as absent: rewriting replaces it.
void read_managed(int fd, const Listing& l, const std::string& prefix,
                  std::initializer_list<const char*> names, LiveService& s) {
  for (const char* n : names)
    if (type_in(l, n) == EntryType::regular)
      if (auto text = read_file_at(fd, n)) s.files.emplace(prefix + n, std::move(*text));
}

LiveService foreign(const std::string& name) {
  LiveService s;
  s.name = name;
  return s;
}

// One service directory, in as few system calls as it takes: a listing of the
// directory, of zsv/ and of log/, and one read of each file zsv manages.
LiveService read_service(int svcfd, const std::string& name) {
  LiveService s = foreign(name);
  Listing top = list_dir_typed(svcfd);
  if (type_in(top, "zsv") != EntryType::directory) return s;
  Fd zfd = open_dir_at(svcfd, "zsv");
  if (!zfd) return s;
  s.ours = true;
  Listing zsv = list_dir_typed(zfd.get());
  read_managed(svcfd, top, "", {"check", "run"}, s);
  read_managed(zfd.get(), zsv, "zsv/", {"check", "generator", "inputs", "native", "pending", "source", "want"}, s);
  if (auto it = s.files.find("zsv/want"); it != s.files.end()) {
    s.want = parse_want(it->second);
    s.files.erase(it);
  }
  if (auto it = s.files.find("zsv/pending"); it != s.files.end()) {
    s.pending = it->second;
    s.files.erase(it);
  }
  s.has_down = type_in(top, "down") != EntryType::missing;
  s.has_log_dir = type_in(top, "log") == EntryType::directory;
  collect_temps(top, "", s.temp_files);
  collect_temps(zsv, "zsv/", s.temp_files);
  if (s.has_log_dir) {
    if (Fd logfd = open_dir_at(svcfd, "log")) {
      Listing log = list_dir_typed(logfd.get());
      read_managed(logfd.get(), log, "log/", {"run"}, s);
      collect_temps(log, "log/", s.temp_files);
    }
  }
  return s;
}

}  // namespace

std::string staging_name(const std::string& name) { return "." + name + ".zsv-new"; }
std::string retiring_name(const std::string& name) { return "." + name + ".zsv-old"; }

bool zsv_leftover_at(int dirfd, const std::string& name) {
  if (entry_type_at(dirfd, name) != EntryType::directory) return false;
  Fd d = open_dir_at(dirfd, name);
  if (!d) return false;
  Listing l = list_dir_typed(d.get());
  return l.empty() || type_in(l, "zsv") == EntryType::directory;
}

LiveTree read_live_tree(int dirfd) {
  LiveTree t;
  for (const auto& [n, type] : list_dir_typed(dirfd)) {
    if (n.front() == '.') {
      // Only zsv's own: a foreign .important.zsv-new/ keeps its data.
      if ((ends_with(n, ".zsv-new") || ends_with(n, ".zsv-old")) && type == EntryType::directory &&
          zsv_leftover_at(dirfd, n))
        t.leftovers.push_back(n);
      continue;
    }
    if (type != EntryType::directory) {
      t.services.emplace(n, foreign(n));  // a file or a symlink: not zsv's
      continue;
    }
    Fd svc = open_dir_at(dirfd, n);
    t.services.emplace(n, svc ? read_service(svc.get(), n) : foreign(n));
  }
  return t;
}

}  // namespace zsv
