/* sources: the descriptors zsvwatch sleeps on, and what reading each one means.
 * Every source is opened non-blocking and close-on-exec; each drain_* reads
 * until EAGAIN and returns the event classes (EV_*) it saw, 0 when nothing
 * that zsv's conditions look at changed. */
#ifndef ZSVWATCH_SOURCES_H
#define ZSVWATCH_SOURCES_H

#include <signal.h>

enum {
  EV_LINK = 1 << 0,      /* rtnetlink: a link came, went, or changed flags/carrier/operstate */
  EV_ADDR = 1 << 1,      /* an IPv4 or IPv6 address */
  EV_ROUTE = 1 << 2,     /* an IPv4 or IPv6 route */
  EV_OVERFLOW = 1 << 3,  /* the netlink queue overflowed (ENOBUFS): something changed */
  EV_RFKILL = 1 << 4,    /* /dev/rfkill */
  EV_SVTAB = 1 << 5,     /* inotify: the svtab */
  EV_ZSVRC = 1 << 6,     /* the zsvrc */
  EV_LIB = 1 << 7,       /* a file of the library */
  EV_HUP = 1 << 8,       /* SIGHUP: run now */
  EV_START = 1 << 9,     /* zsvwatch started */
};

/* The words for the classes in MASK ("link, route"), into BUF of SIZE bytes. */
const char *ev_names(unsigned mask, char *buf, unsigned long size);

/* rtnetlink, subscribed to links, IPv4/IPv6 addresses and routes. -1 on error. */
int netlink_open(void);
unsigned netlink_drain(int fd);

/* /dev/rfkill read-only; -1 when there is none (no rfkill on this machine). */
int rfkill_open(void);
unsigned rfkill_drain(int fd);

/* inotify on the directories of the watched files; a file is seen whether it
 * is written in place, replaced by a rename, created or deleted. */
int inotify_open(void);
enum {
  W_NAME,     /* PATH is a file: its directory, filtered by its name */
  W_SUFFIX,   /* PATH is a directory: its files whose names end with SUFFIX */
  W_ANY,      /* PATH is a directory: all its files (not editors' side files) */
};
/* Watches PATH (which must outlive zsvwatch); a hit reports CLASS. -1 when the
 * directory cannot be watched now: inotify_rewatch tries again. */
int inotify_watch(int fd, const char *path, int mode, const char *suffix, unsigned cls);
/* Tries again each watch whose directory was missing or went away. */
void inotify_rewatch(int fd);
unsigned inotify_drain(int fd);

/* A signalfd for HUP, TERM, INT and CHLD, which are blocked (no handlers). */
int signals_open(sigset_t *blocked);

#endif
