// bootcache: resolved services kept where they survive a reboot (SPEC §12, boot).
// /run/service is empty at every boot; the cache (default /var/cache/zsv; --cache-dir,
// ZSV_CACHE_DIR; empty: none) keeps, per service directory, every service's files as
// zsv last rendered them, one file per service. An entry with no reusable live service
// takes its files from the cache when their zsv/inputs key is the entry's and their
// digests hold (the same test as reuse.h), so a boot with svtab unchanged resolves
// nothing and evaluates only conditions.
//
// The cache is trusted only so far: a directory (and file) is read only when this user
// owns it and nobody else may write it; symlinks are refused; anything that does not
// parse or verify is ignored; writes go to a temp file renamed in, without fsync (a
// torn file fails its digest). No failure of the cache ever fails a run.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "fsutil.h"
#include "livetree.h"
#include "render.h"

namespace zsv {

class BootCache {
 public:
  // CACHE_DIR empty: no cache (every call does nothing). Nothing is opened yet.
  BootCache(std::string cache_dir, const std::string& service_dir);

  // The cached service NAME, as read_live_tree would give it; nullopt when absent or broken.
  std::optional<LiveService> find(const std::string& name);

  // After a run: stores each of DESIRED that was rendered this run (not taken from the
  // cache: FROM_CACHE), and each reused one the cache lacks (read back from the tree
  // under TREEFD); with PRUNE, forgets names not in DESIRED or KEEP.
  void update(const std::vector<DesiredService>& desired, const std::set<std::string>& keep,
              const std::set<std::string>& from_cache, int treefd, bool prune);

  // The directory this tree's cache lives in, opened (created when CREATE); empty Fd
  // when there is none or it is not trustworthy.
  Fd open(bool create);

 private:
  std::string dir_, sub_;
  std::optional<Fd> fd_;
};

// The text of one cached service, and back (nullopt when it does not parse).
std::string cache_text(const std::map<std::string, std::pair<std::string, bool>>& files);
std::optional<std::map<std::string, std::pair<std::string, bool>>> parse_cache_text(const std::string& text);

}  // namespace zsv
