/* sources: rtnetlink, rfkill, inotify and signalfd for zsvwatch (SPEC §9).
 * Buffers live on the stack of the drain functions (the initial stack mapping
 * is there anyway), so reading costs no memory of its own. */
#include "sources.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

const char *ev_names(unsigned mask, char *buf, unsigned long size) {
  static const char *const names[] = {"link", "address", "route", "netlink overflow", "rfkill",
                                      "svtab", "zsvrc", "library", "SIGHUP", "start"};
  unsigned long n = 0;
  buf[0] = '\0';
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; ++i) {
    if (!(mask & (1u << i))) continue;
    unsigned long k = strlen(names[i]);
    if (n + k + 3 > size) break;
    if (n) { memcpy(buf + n, ", ", 2); n += 2; }
    memcpy(buf + n, names[i], k + 1);
    n += k;
  }
  return buf;
}

int netlink_open(void) {
  struct sockaddr_nl sa;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  /* A deep queue makes overflow rare (it is kernel memory, not ours); as root
   * beyond rmem_max. Overflow is still handled: ENOBUFS counts as an event. */
  int size = 1 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
                 RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The class of one rtnetlink message; 0 for those no condition looks at. */
static unsigned netlink_class(const struct nlmsghdr *h) {
  switch (h->nlmsg_type) {
    case RTM_NEWLINK: case RTM_DELLINK: return EV_LINK;
    case RTM_NEWADDR: case RTM_DELADDR: return EV_ADDR;
    case RTM_NEWROUTE: case RTM_DELROUTE: {
      const struct rtmsg *rt = NLMSG_DATA(h);
      /* Cached clones of routes (PMTU exceptions) are not routes anyone configured. */
      if (h->nlmsg_len >= NLMSG_LENGTH(sizeof *rt) && (rt->rtm_flags & RTM_F_CLONED)) return 0;
      return EV_ROUTE;
    }
    default: return 0;
  }
}

unsigned netlink_drain(int fd) {
  char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
  unsigned seen = 0;
  for (;;) {
    struct sockaddr_nl from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {&from, sizeof from, &iov, 1, NULL, 0, 0};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) { seen |= EV_OVERFLOW; continue; }
      return seen;   /* EAGAIN: drained */
    }
    if (from.nl_pid != 0) continue;   /* only the kernel speaks here */
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
      seen |= netlink_class(h);
    /* A truncated datagram still told of a change of its kind; its first header was read. */
  }
}

int rfkill_open(void) {
  return open("/dev/rfkill", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

unsigned rfkill_drain(int fd) {
  char buf[256];   /* rfkill_event is 8 bytes (9 extended): several per read */
  unsigned seen = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) { seen |= EV_RFKILL; continue; }
    if (n < 0 && errno == EINTR) continue;
    return seen;
  }
}

/* What the inotify watches stand for: a directory (by its watch descriptor) and
 * the names in it that matter. svtab, svtab.d, zsvrc and the library: a
 * handful. PATH and MATCH point into strings that live as long as zsvwatch. */
enum { MAX_WATCHES = 8 };
static struct {
  int wd;             /* -1: the directory is not there (yet) */
  int mode;
  unsigned cls;
  const char *path;   /* the file (W_NAME) or the directory */
  const char *match;  /* W_NAME: the file's name; W_SUFFIX: the ending */
} watches[MAX_WATCHES];
static int nwatches;

int inotify_open(void) { return inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

/* (Re)adds watch I; 0 on success. */
static int add_watch(int fd, int i) {
  char dir[4096];
  const char *d = watches[i].path;
  if (watches[i].mode == W_NAME) {
    size_t len = (size_t)(watches[i].match - watches[i].path);
    if (len == 0) d = ".";
    else if (len == 1) d = "/";
    else if (len - 1 < sizeof dir) {
      memcpy(dir, watches[i].path, len - 1);
      dir[len - 1] = '\0';
      d = dir;
    } else { errno = ENAMETOOLONG; return -1; }
  }
  /* The same directory twice (svtab beside zsvrc) gives the same descriptor;
   * the mask is the same, so adding it again changes nothing. */
  watches[i].wd = inotify_add_watch(fd, d, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                               IN_CREATE | IN_DELETE | IN_ONLYDIR);
  return watches[i].wd < 0 ? -1 : 0;
}

int inotify_watch(int fd, const char *path, int mode, const char *suffix, unsigned cls) {
  if (nwatches == MAX_WATCHES || *path == '\0') { errno = EINVAL; return -1; }
  const char *slash = strrchr(path, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  if (mode == W_NAME && *name == '\0') { errno = EINVAL; return -1; }
  int i = nwatches++;
  watches[i].mode = mode;
  watches[i].cls = cls;
  watches[i].path = path;
  watches[i].match = mode == W_NAME ? name : suffix;
  return add_watch(fd, i);
}

void inotify_rewatch(int fd) {
  for (int i = 0; i < nwatches; ++i)
    if (watches[i].wd < 0 && add_watch(fd, i) == 0)
      log_say(LOG_INFO, "now watching ", watches[i].path, NULL);
}

/* Editors' side files are no edit: .swp, backup~, #autosave#, .#lock. */
static int is_editor_litter(const char *name) {
  size_t n = strlen(name);
  return name[0] == '.' || name[0] == '#' || (n > 0 && name[n - 1] == '~');
}

static int matches(int i, const char *name) {
  size_t n = strlen(name), k;
  switch (watches[i].mode) {
    case W_NAME: return strcmp(watches[i].match, name) == 0;
    case W_SUFFIX:
      k = strlen(watches[i].match);
      return !is_editor_litter(name) && n > k && strcmp(name + n - k, watches[i].match) == 0;
    default: return !is_editor_litter(name);
  }
}

unsigned inotify_drain(int fd) {
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  unsigned seen = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return seen;
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      p += sizeof *ev + ev->len;
      for (int i = 0; i < nwatches; ++i) {
        if (ev->mask & IN_Q_OVERFLOW) { seen |= watches[i].cls; continue; }
        if (watches[i].wd != ev->wd) continue;
        if (ev->mask & IN_IGNORED) {   /* the directory went away: so did what was in it */
          watches[i].wd = -1;
          seen |= watches[i].cls;
        } else if (ev->len != 0 && matches(i, ev->name)) {
          seen |= watches[i].cls;
        }
      }
    }
  }
}

int signals_open(sigset_t *blocked) {
  sigemptyset(blocked);
  sigaddset(blocked, SIGHUP);
  sigaddset(blocked, SIGTERM);
  sigaddset(blocked, SIGINT);
  sigaddset(blocked, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, blocked, NULL) != 0) return -1;
  return signalfd(-1, blocked, SFD_NONBLOCK | SFD_CLOEXEC);
}
