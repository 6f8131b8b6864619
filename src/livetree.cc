// livetree: scanning the service directory for zsv's services and their files.
#include "livetree.h"

#include "fsutil.h"

namespace zsv {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::optional<Want> parse_want(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  if (*text == "up\n") return Want::up;
  if (*text == "down\n") return Want::down;
  if (*text == "manual\n") return Want::manual;
  return std::nullopt;
}

void collect_temps(int dirfd, const std::string& prefix, std::vector<std::string>& out) {
  for (const std::string& n : list_dir(dirfd))
    if (n.front() == '.' && ends_with(n, ".zsv-tmp")) out.push_back(prefix + n);
}

LiveService foreign(const std::string& name) {
  LiveService s;
  s.name = name;
  return s;
}

LiveService read_service(int svcfd, const std::string& name) {
  LiveService s;
  s.name = name;
  s.ours = entry_type_at(svcfd, "zsv") == EntryType::directory;
  if (!s.ours) return s;
  for (const std::string& p : managed_paths()) {
    // A symlink where zsv's file should be reads as absent; the rewrite replaces it.
    if (entry_type_at(svcfd, p) != EntryType::regular) continue;
    if (auto text = read_file_at(svcfd, p)) s.files.emplace(p, std::move(*text));
  }
  s.has_log_dir = entry_type_at(svcfd, "log") == EntryType::directory;
  s.has_down = entry_type_at(svcfd, "down") != EntryType::missing;
  if (entry_type_at(svcfd, "zsv/want") == EntryType::regular) s.want = parse_want(read_file_at(svcfd, "zsv/want"));
  collect_temps(svcfd, "", s.temp_files);
  if (s.has_log_dir) {
    Fd logfd = open_dir_at(svcfd, "log");
    if (logfd) collect_temps(logfd.get(), "log/", s.temp_files);
  }
  if (Fd zfd = open_dir_at(svcfd, "zsv")) collect_temps(zfd.get(), "zsv/", s.temp_files);
  return s;
}

}  // namespace

std::string staging_name(const std::string& name) { return "." + name + ".zsv-new"; }
std::string retiring_name(const std::string& name) { return "." + name + ".zsv-old"; }

LiveTree read_live_tree(int dirfd) {
  LiveTree t;
  for (const std::string& n : list_dir(dirfd)) {
    if (n.front() == '.') {
      if ((ends_with(n, ".zsv-new") || ends_with(n, ".zsv-old")) &&
          entry_type_at(dirfd, n) == EntryType::directory)
        t.leftovers.push_back(n);
      continue;
    }
    if (entry_type_at(dirfd, n) != EntryType::directory) {
      t.services.emplace(n, foreign(n));  // a file or a symlink: not zsv's
      continue;
    }
    Fd svc = open_dir_at(dirfd, n);
    t.services.emplace(n, svc ? read_service(svc.get(), n) : foreign(n));
  }
  return t;
}

}  // namespace zsv
