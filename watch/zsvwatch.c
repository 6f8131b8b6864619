/* zsvwatch: runs zsvgen whenever something zsv's conditions or inputs look at
 * changes (SPEC §9), learning of it first hand: rtnetlink (links, addresses,
 * routes), /dev/rfkill, inotify on svtab, svtab.d, zsvrc and the library, and a
 * signalfd (HUP: run now; TERM, INT: exit 0). It sleeps in epoll_wait with no
 * timeout: no polling and no timer, so no wake-up while nothing happens.
 *
 * Coalescing: every event marks the state dirty. With no zsvgen running, a
 * dirty state starts one at once (and is clean again); events that arrive
 * while it runs leave it dirty, so exactly one more run follows when it ends,
 * however many there were. A burst therefore costs at most one run in progress
 * plus one after it, per run's length of burst. zsvgen failing (or missing) is
 * logged and changes nothing else.
 *
 * Small on purpose (VmPeak at most 1024 kB, zsvwatch(8)): static, plain C, no
 * stdio, no printf, no heap; buffers are on the stack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "run.h"
#include "sitepaths.h"
#include "sources.h"
#include "zsvwatch_config.h"

extern char **environ;

struct options {
  const char *svtab, *svtab_d, *service_dir, *zsvrc, *lib, *zsvgen;
  int svtab_d_given;   /* -d or ZSV_SVTAB_D: passed on to zsvgen */
  int to_stderr, no_start_run;
  char **zsvgen_args;   /* after "--" */
  int n_zsvgen_args;
};

static void say_out(int fd, const char *s) {
  if (write(fd, s, strlen(s)) < 0) { /* nothing to do */ }
}

static const char usage[] =
    "usage: zsvwatch [-e] [-n] [-f SVTAB] [-d SVTAB.D] [-s DIR] [-c ZSVRC] [-L LIBDIR] [-g ZSVGEN] [-- ZSVGEN-ARGS...]\n";

static const char help[] =
    "Runs zsvgen whenever the machine's links, addresses, routes or rfkill switches\n"
    "change, the svtab, zsvrc or library is edited, or on SIGHUP; SIGTERM/SIGINT end it.\n\n"
    "  -f SVTAB   the svtab (ZSV_SVTAB; /etc/svtab)\n"
    "  -d DIR     its fragments, DIR/*.svtab (ZSV_SVTAB_D; SVTAB.d)\n"
    "  -s DIR     the live tree (ZSV_SERVICE_DIR; /run/service)\n"
    "  -c ZSVRC   the site zsvrc (ZSV_CONFIG; /etc/zsvrc)\n"
    "  -L LIBDIR  the zsh library (ZSV_LIB; " ZSV_DEFAULT_LIB ")\n"
    "  -g ZSVGEN  the zsvgen to run (" ZSV_DEFAULT_ZSVGEN ", else zsvgen in PATH)\n"
    "  -e         log to stderr (for svlogd), not to syslog\n"
    "  -n         no run at start: wait for the first event\n"
    "  -- ARGS    more arguments for zsvgen (e.g. -q, or a LOGFILE)\n";

static const char *site;   /* the site paths file's lines (sitepaths.h) */

/* NAME from the environment, else from the site paths file, else FALLBACK. */
static const char *env_or(const char *name, const char *fallback) {
  const char *v = getenv(name);
  if (v != NULL && *v != '\0') return v;
  v = site_paths_get(site, name);
  return v != NULL ? v : fallback;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Options, ZSV_* and the site paths file (an option wins, then the environment).
 * 0 to go on, else the exit status + 1. */
static int parse_options(int argc, char **argv, struct options *o) {
  o->svtab = env_or("ZSV_SVTAB", "/etc/svtab");
  o->svtab_d = env_or("ZSV_SVTAB_D", NULL);
  o->service_dir = env_or("ZSV_SERVICE_DIR", "/run/service");
  o->zsvrc = env_or("ZSV_CONFIG", "/etc/zsvrc");
  o->lib = env_or("ZSV_LIB", is_dir(ZSV_DEFAULT_LIB) ? ZSV_DEFAULT_LIB : NULL);
  o->zsvgen = access(ZSV_DEFAULT_ZSVGEN, X_OK) == 0 ? ZSV_DEFAULT_ZSVGEN : "zsvgen";
  int i = 1;
  for (; i < argc; ++i) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (strcmp(a, "--") == 0) { ++i; break; }
    if (strcmp(a, "-e") == 0) { o->to_stderr = 1; continue; }
    if (strcmp(a, "-n") == 0) { o->no_start_run = 1; continue; }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      say_out(1, usage); say_out(1, help); return 1;
    }
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
      say_out(1, "zsvwatch " ZSV_VERSION "\n"); return 1;
    }
    if (strcmp(a, "-f") == 0) slot = &o->svtab;
    else if (strcmp(a, "-d") == 0) slot = &o->svtab_d;
    else if (strcmp(a, "-s") == 0) slot = &o->service_dir;
    else if (strcmp(a, "-c") == 0) slot = &o->zsvrc;
    else if (strcmp(a, "-L") == 0) slot = &o->lib;
    else if (strcmp(a, "-g") == 0) slot = &o->zsvgen;
    if (slot == NULL || i + 1 == argc || argv[i + 1][0] == '\0') {
      say_out(2, "zsvwatch: ");
      say_out(2, slot == NULL ? "unknown option: " : "needs a value: ");
      say_out(2, a);
      say_out(2, "\n");
      say_out(2, usage);
      return 3;
    }
    *slot = argv[++i];
  }
  o->svtab_d_given = o->svtab_d != NULL;
  o->zsvgen_args = argv + i;
  o->n_zsvgen_args = argc - i;
  return 0;
}

/* "NAME=VALUE" into BUF (sized by the caller: strlen(name) + strlen(value) + 2). */
static char *env_entry(char *buf, const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value);
  memcpy(buf, name, n);
  buf[n] = '=';
  memcpy(buf + n + 1, value, v + 1);
  return buf;
}

static int is_zsv_path_var(const char *e) {
  static const char *const names[] = {"ZSV_SVTAB=", "ZSV_SVTAB_D=", "ZSV_SERVICE_DIR=",
                                      "ZSV_CONFIG=", "ZSV_LIB="};
  for (int i = 0; i < 5; ++i)
    if (strncmp(e, names[i], strlen(names[i])) == 0) return 1;
  return 0;
}

/* Watches the inputs; a directory that cannot be watched is a warning, except a
 * missing svtab.d: its creation is seen in its parent, and it is watched then. */
static void watch_inputs(int ifd, const struct options *o) {
  char err[24];
  if (inotify_watch(ifd, o->svtab, W_NAME, NULL, EV_SVTAB) != 0)
    log_say(LOG_WARNING, "cannot watch ", o->svtab, "'s directory: ", errno_name(errno, err), NULL);
  if (inotify_watch(ifd, o->svtab_d, W_NAME, NULL, EV_SVTAB) == 0 &&
      inotify_watch(ifd, o->svtab_d, W_SUFFIX, ".svtab", EV_SVTAB) != 0 && errno != ENOENT)
    log_say(LOG_WARNING, "cannot watch ", o->svtab_d, ": ", errno_name(errno, err), NULL);
  if (inotify_watch(ifd, o->zsvrc, W_NAME, NULL, EV_ZSVRC) != 0)
    log_say(LOG_WARNING, "cannot watch ", o->zsvrc, "'s directory: ", errno_name(errno, err), NULL);
  if (o->lib == NULL)
    log_say(LOG_WARNING, "no library at " ZSV_DEFAULT_LIB " and no -L: library edits are not seen", NULL);
  else if (inotify_watch(ifd, o->lib, W_ANY, NULL, EV_LIB) != 0)
    log_say(LOG_WARNING, "cannot watch ", o->lib, ": ", errno_name(errno, err), NULL);
}

enum { SRC_NETLINK, SRC_RFKILL, SRC_INOTIFY, SRC_SIGNAL };

static int add_source(int ep, int fd, unsigned id) {
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = id};
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void fatal(const char *what) {
  char err[24];
  log_say(LOG_ERR, what, ": ", errno_name(errno, err), NULL);
  _exit(1);
}

/* Reads the signalfd: the classes it brings; *stop set on TERM/INT, *child on CHLD. */
static unsigned read_signals(int sfd, int *stop, int *child) {
  struct signalfd_siginfo si;
  unsigned seen = 0;
  for (;;) {
    ssize_t n = read(sfd, &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof si) return seen;
    if (si.ssi_signo == SIGHUP) seen |= EV_HUP;
    else if (si.ssi_signo == SIGCHLD) *child = 1;
    else *stop = (int)si.ssi_signo;
  }
}

int main(int argc, char **argv) {
  struct options o;
  char site_buf[SITE_PATHS_MAX];
  memset(&o, 0, sizeof o);
  for (int j = 1; j < argc && strcmp(argv[j], "--") != 0; ++j)
    if (strcmp(argv[j], "-e") == 0) o.to_stderr = 1;
  log_open(o.to_stderr);
  site_paths_read(site_buf);
  site = site_buf;
  int r = parse_options(argc, argv, &o);
  if (r != 0) return r - 1;
  char default_d[o.svtab_d == NULL ? strlen(o.svtab) + 3 : 1];
  if (o.svtab_d == NULL) {
    memcpy(default_d, o.svtab, strlen(o.svtab));
    memcpy(default_d + strlen(o.svtab), ".d", 3);
    o.svtab_d = default_d;
  }

  /* zsvgen's environment: ours, with the ZSV_* paths zsvwatch watches. */
  int nenv = 0;
  for (char **e = environ; *e != NULL && nenv < 4000; ++e) ++nenv;
  char *envp[nenv + 6];
  int k = 0;
  for (int j = 0; j < nenv; ++j)
    if (!is_zsv_path_var(environ[j])) envp[k++] = environ[j];
  char e_svtab[strlen(o.svtab) + 12], e_d[strlen(o.svtab_d) + 14], e_dir[strlen(o.service_dir) + 18],
      e_rc[strlen(o.zsvrc) + 12], e_lib[o.lib != NULL ? strlen(o.lib) + 10 : 1];
  envp[k++] = env_entry(e_svtab, "ZSV_SVTAB", o.svtab);
  if (o.svtab_d_given) envp[k++] = env_entry(e_d, "ZSV_SVTAB_D", o.svtab_d);
  envp[k++] = env_entry(e_dir, "ZSV_SERVICE_DIR", o.service_dir);
  envp[k++] = env_entry(e_rc, "ZSV_CONFIG", o.zsvrc);
  if (o.lib != NULL) envp[k++] = env_entry(e_lib, "ZSV_LIB", o.lib);
  envp[k] = NULL;
  char *zargv[o.n_zsvgen_args + 2];
  zargv[0] = (char *)o.zsvgen;
  for (int j = 0; j < o.n_zsvgen_args; ++j) zargv[j + 1] = o.zsvgen_args[j];
  zargv[o.n_zsvgen_args + 1] = NULL;

  sigset_t blocked;
  int sfd = signals_open(&blocked);
  if (sfd < 0) fatal("signalfd");
  struct run_spec spec = {o.zsvgen, zargv, envp, &blocked};

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) fatal("epoll_create1");
  int nfd = netlink_open();
  if (nfd < 0) fatal("rtnetlink socket");
  int ifd = inotify_open();
  if (ifd < 0) fatal("inotify_init1");
  watch_inputs(ifd, &o);
  int rfd = rfkill_open();
  if (add_source(ep, nfd, SRC_NETLINK) != 0 || add_source(ep, ifd, SRC_INOTIFY) != 0 ||
      add_source(ep, sfd, SRC_SIGNAL) != 0 || (rfd >= 0 && add_source(ep, rfd, SRC_RFKILL) != 0))
    fatal("epoll_ctl");
  log_say(LOG_INFO, "watching links, addresses, routes", rfd >= 0 ? ", rfkill" : " (no /dev/rfkill)",
          "; svtab ", o.svtab, ", ", o.svtab_d, ", zsvrc ", o.zsvrc, ", library ", o.lib != NULL ? o.lib : "(none)",
          "; service dir ", o.service_dir, "; zsvgen ", o.zsvgen, NULL);

  unsigned pending = o.no_start_run ? 0 : EV_START;
  unsigned long runs = 0;
  pid_t child = 0;
  for (;;) {
    if (pending != 0 && child == 0) {
      pending = 0;
      child = run_start(&spec, ++runs);
    }
    struct epoll_event evs[4];
    int n = epoll_wait(ep, evs, 4, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      fatal("epoll_wait");
    }
    unsigned seen = 0;
    int stop = 0, reaped = 0;
    for (int j = 0; j < n; ++j) {
      switch (evs[j].data.u32) {
        case SRC_NETLINK: seen |= netlink_drain(nfd); break;
        case SRC_RFKILL: seen |= rfkill_drain(rfd); break;
        case SRC_INOTIFY: seen |= inotify_drain(ifd); break;
        case SRC_SIGNAL: seen |= read_signals(sfd, &stop, &reaped); break;
      }
    }
    if (stop) {
      char num[24];
      log_say(LOG_INFO, stop == SIGTERM ? "SIGTERM" : "SIGINT", ": exiting",
              child ? " (the zsvgen running, pid " : "", child ? fmt_ulong(num, (unsigned long)child) : "",
              child ? ", finishes on its own)" : "", NULL);
      return 0;
    }
    if (reaped) {
      if (child != 0 && run_reap(child, runs)) child = 0;
      while (waitpid(-1, NULL, WNOHANG) > 0) {}   /* anything else that was ours */
    }
    if (seen & EV_SVTAB) inotify_rewatch(ifd);   /* svtab.d may have come */
    if (seen != 0) {
      char names[160];
      log_say(LOG_INFO, "event: ", ev_names(seen, names, sizeof names),
              child != 0 ? " (zsvgen running: one more run after it)" : "", NULL);
      pending |= seen;
    }
  }
}
