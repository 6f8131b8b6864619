// cli: Boost.Program_options for the flags; the environment supplies path defaults.
#include "cli.h"

#include <cstdlib>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include "sitepaths.h"
#include "userpaths.h"
#include "zsv_build_config.h"

namespace zsv {

namespace po = boost::program_options;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// A number of seconds from the environment; false (after a message) when garbled.
bool number_env(const char* name, double& out) {
  std::string v = env_or(name, "");
  if (v.empty()) return true;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (*end != '\0' || !(d >= 0)) {
    std::cerr << "zsvgen: " << name << "=" << v << ": not a number of seconds\n";
    return false;
  }
  out = d;
  return true;
}

bool size_env(const char* name, std::size_t& out) {
  std::string v = env_or(name, "");
  if (v.empty()) return true;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (*end != '\0' || v.front() == '-') {
    std::cerr << "zsvgen: " << name << "=" << v << ": not a number of bytes\n";
    return false;
  }
  out = static_cast<std::size_t>(n);
  return true;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The defaults, lowest first: built in; the site's paths file, or with --user the
// user's XDG paths (the site's file names the system's tree: only its ZSV_LIB holds for
// a user); the ZSV_* environment. The command line's flags come after, and win.
bool set_defaults(Options& o, int& exit_status) {
  const SitePaths site = read_site_paths(env_or("ZSV_PATHS", kSitePathsFile));
  for (const Diagnostic& d : site.diags) std::cerr << format_diagnostic(d);
  auto site_or = [&site, &o](const char* name, const std::string& fallback) {
    if (o.user && std::string(name) != "ZSV_LIB") return fallback;
    auto it = site.values.find(name);
    return it != site.values.end() && !it->second.empty() ? it->second : fallback;
  };
  if (o.user) {
    std::string error;
    std::optional<UserPaths> u = calling_user_paths(error);
    if (!u) {
      std::cerr << "zsvgen: " << error << "\n";
      exit_status = 4;
      return false;
    }
    o.svtab = u->svtab;
    o.service_dir = u->service_dir;
    o.config = u->config;
    o.cache_dir = u->cache_dir;
    o.log_root = u->log_root;
    o.post_apply_dir = u->post_apply_dir;
  }
  o.svtab = env_or("ZSV_SVTAB", site_or("ZSV_SVTAB", o.svtab));
  o.service_dir = env_or("ZSV_SERVICE_DIR", site_or("ZSV_SERVICE_DIR", o.service_dir));
  o.config = env_or("ZSV_CONFIG", site_or("ZSV_CONFIG", o.config));
  o.lib = env_or("ZSV_LIB", site_or("ZSV_LIB", o.lib));
  o.log_root = env_or("ZSV_LOGROOT", site_or("ZSV_LOGROOT", o.log_root));
  o.post_apply_dir = env_or("ZSV_POST_APPLY_DIR", site_or("ZSV_POST_APPLY_DIR", o.post_apply_dir));
  if (std::string d = env_or("ZSV_SVTAB_D", site_or("ZSV_SVTAB_D", "")); !d.empty()) o.svtab_d = d;
  if (const char* c = std::getenv("ZSV_CACHE_DIR"); c != nullptr) o.cache_dir = c;
  o.zsh = env_or("ZSV_ZSH", o.zsh);
  if (!number_env("ZSV_LOCK_TIMEOUT", o.lock_timeout) || !number_env("ZSV_STOP_GRACE", o.stop_grace) ||
      !size_env("ZSV_MAX_INPUT", o.max_input)) {
    exit_status = 2;
    return false;
  }
  return true;
}

}  // namespace

std::optional<Options> parse_command_line(int argc, char** argv, int& exit_status) {
  Options o;
  po::options_description visible("zsvgen [OPTIONS] [LOGFILE]\n\nCompiles svtab into a runit service tree and brings the live tree in line.\n\nOptions");
  visible.add_options()
      ("svtab,f", po::value(&o.svtab)->value_name("FILE"), "the svtab (ZSV_SVTAB; /etc/svtab)")
      ("service-dir,s", po::value(&o.service_dir)->value_name("DIR"), "the live tree (ZSV_SERVICE_DIR; /run/service)")
      ("svtab-d", po::value<std::string>()->value_name("DIR")->notifier([&o](const std::string& d) { o.svtab_d = d; }),
       "DIR/*.svtab, read after svtab (ZSV_SVTAB_D; svtab + .d, /etc/svtab.d; '': none)")
      ("config,c", po::value(&o.config)->value_name("FILE"), "the site zsvrc (ZSV_CONFIG; /etc/zsvrc)")
      ("lib,L", po::value(&o.lib)->value_name("DIR"), "the zsh library (ZSV_LIB; the installed one)")
      ("cache-dir", po::value(&o.cache_dir)->value_name("DIR"),
       "resolved services kept across boots (ZSV_CACHE_DIR; /var/cache/zsv; '': none)")
      ("zsh", po::value(&o.zsh)->value_name("FILE"), "the zsh of every script's #! (ZSV_ZSH; " ZSV_DEFAULT_ZSH ")")
      ("lock-timeout", po::value(&o.lock_timeout)->value_name("SECONDS"), "wait this long for another run's lock (ZSV_LOCK_TIMEOUT; 30)")
      ("stop-grace", po::value(&o.stop_grace)->value_name("SECONDS"), "TERM to KILL when stopping a service (ZSV_STOP_GRACE; 5)")
      ("max-input", po::value(&o.max_input)->value_name("BYTES"), "largest svtab, zsvrc or library file (ZSV_MAX_INPUT; 16 MiB)")
      ("dry-run,n", po::bool_switch(&o.dry_run), "print the plan (with -v the file diffs); change nothing")
      ("lint", po::bool_switch(&o.lint), "check svtab and every entry's code; change nothing")
      ("only", po::value(&o.only)->multitoken()->value_name("NAME..."), "re-evaluate only these services")
      ("json", po::bool_switch(&o.json), "machine-readable report on stdout")
      ("status", po::value(&o.status_names)->multitoken()->zero_tokens()->value_name("NAME..."),
       "each service's condition, wish and runit state now; changes nothing")
      ("why", po::value(&o.why)->value_name("NAME"), "where everything about NAME came from; changes nothing")
      ("user", "the caller's own tree: ~/.config/zsv/svtab and zsvrc (XDG_CONFIG_HOME) into ~/service")
      ("quiet,q", po::value<std::vector<std::string>>()->zero_tokens()->composing(), "quieter: errors only")
      // Repeatable: each -v is one more value of a composing option (counted below).
      ("verbose,v", po::value<std::vector<std::string>>()->zero_tokens()->composing(), "louder (repeat for more)")
      ("help,h", "this text")
      ("version", "the version");
  po::options_description hidden;
  std::vector<std::string> words;  // LOGFILE, or with --status more names
  hidden.add_options()("logfile", po::value(&words));
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("logfile", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    o.user = vm.count("user") > 0;
    if (vm.count("help") == 0 && vm.count("version") == 0 && !set_defaults(o, exit_status)) return std::nullopt;
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "zsvgen: " << e.what() << "\n(zsvgen --help lists the options)\n";
    exit_status = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << visible << "\nExit status: 0 done; 1 svtab/zsvrc error, nothing applied; 2 usage;\n"
                 "3 applied, but some entries failed and were left as they were; 4 system error.\n";
    exit_status = 0;
    return std::nullopt;
  }
  if (vm.count("version")) {
    std::cout << "zsvgen " << ZSV_VERSION << "\n";
    exit_status = 0;
    return std::nullopt;
  }
  for (const auto& opt : po::command_line_parser(argc, argv).options(all).positional(pos).run().options) {
    if (opt.string_key == "quiet") o.verbosity = -1;
    if (opt.string_key == "verbose") o.verbosity = std::max(o.verbosity, 0) + 1;
  }
  o.status = vm.count("status") > 0;
  // With --status the words after other options (--status --json NAME...) are names.
  if (o.status) {
    o.status_names.insert(o.status_names.end(), words.begin(), words.end());
  } else if (words.size() > 1) {
    std::cerr << "zsvgen: more than one LOGFILE: " << words[0] << ", " << words[1] << "\n";
    exit_status = 2;
    return std::nullopt;
  } else if (!words.empty()) {
    o.logfile = words.front();
  }
  // --only takes the words after it; a service name never holds '/', so a path among
  // them is the LOGFILE that followed the names (as hooks write it).
  for (auto it = o.only.begin(); it != o.only.end();) {
    if (it->find('/') == std::string::npos) { ++it; continue; }
    if (!o.logfile.empty()) {
      std::cerr << "zsvgen: more than one LOGFILE: " << o.logfile << ", " << *it << "\n";
      exit_status = 2;
      return std::nullopt;
    }
    o.logfile = *it;
    it = o.only.erase(it);
  }
  if (!(o.lock_timeout >= 0) || !(o.stop_grace >= 0)) {
    std::cerr << "zsvgen: --lock-timeout and --stop-grace take seconds, 0 or more\n";
    exit_status = 2;
    return std::nullopt;
  }
  int modes = o.status + !o.why.empty() + o.dry_run + o.lint + !o.only.empty();
  if ((o.status || !o.why.empty()) && modes > 1) {
    std::cerr << "zsvgen: --status and --why go with no other mode (--dry-run, --lint, --only)\n";
    exit_status = 2;
    return std::nullopt;
  }
  if (o.dry_run && o.lint) {
    std::cerr << "zsvgen: --dry-run and --lint do not go together\n";
    exit_status = 2;
    return std::nullopt;
  }
  return o;
}

void export_library_settings(const Options& o) {
  auto put = [](const char* name, const std::string& value) {
    if (value.empty()) ::unsetenv(name);
    else ::setenv(name, value.c_str(), 1);
  };
  put("ZSV_LOGROOT", o.log_root);
  put("ZSV_POST_APPLY_DIR", o.post_apply_dir);
  put("ZSV_USER_TREE", o.user ? "1" : "");
}

std::string library_environment() {
  std::string out;
  for (const char* name : {"ZSV_LOGROOT", "ZSV_POST_APPLY_DIR", "ZSV_USER_TREE"})
    out += std::string(name) + "=" + env_or(name, "") + '\0';
  return out;
}

std::string find_lib_dir(const std::string& given, const char* argv0) {
  if (!given.empty()) return given;
  if (is_dir(ZSV_DEFAULT_LIB)) return ZSV_DEFAULT_LIB;
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string exe = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string(argv0);
  std::string dir = exe.substr(0, exe.rfind('/'));
  return dir + "/../lib";
}

}  // namespace zsv
