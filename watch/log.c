/* log: zsvwatch's messages, to syslog or stderr, without stdio.
 *
 * glibc's syslog() formats with vfprintf and reads the time zone (malloc,
 * stdio), which alone costs more than zsvwatch's whole memory budget in a
 * static binary; so a message is sent here as "<PRI>zsvwatch[PID]: TEXT" on a
 * datagram socket connected to /dev/log, and the syslog daemon stamps it with
 * its time of receipt (RFC 3164 §4.3.3). When no daemon listens, or it cannot
 * keep up, the line goes to stderr instead rather than block zsvwatch. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int use_stderr;
static int sock = -1;
static char pid_text[24];

char *fmt_ulong(char *buf, unsigned long v) {
  char tmp[24];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  for (int i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return buf;
}

const char *errno_name(int e, char *buf) {
  static const struct { int e; const char *name; } names[] = {
    {ENOENT, "ENOENT"}, {EACCES, "EACCES"}, {EPERM, "EPERM"}, {ENOBUFS, "ENOBUFS"},
    {ENOMEM, "ENOMEM"}, {EINVAL, "EINVAL"}, {ENOTDIR, "ENOTDIR"}, {ENOSPC, "ENOSPC"},
    {EMFILE, "EMFILE"}, {ENAMETOOLONG, "ENAMETOOLONG"}, {EAGAIN, "EAGAIN"}, {ENOEXEC, "ENOEXEC"}, {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (names[i].e == e) return names[i].name;
  memcpy(buf, "errno ", 6);
  fmt_ulong(buf + 6, (unsigned long)e);
  return buf;
}

void log_open(int to_stderr) {
  use_stderr = to_stderr;
  fmt_ulong(pid_text, (unsigned long)getpid());
}

static void put(char *line, size_t *n, size_t cap, const char *s) {
  size_t k = strlen(s);
  if (k > cap - *n) k = cap - *n;
  memcpy(line + *n, s, k);
  *n += k;
}

/* Sends LINE to /dev/log; 0 when it went. Connects on first use and again after
 * an error (the daemon restarted). */
static int to_syslog(const char *line, size_t n) {
  static const struct sockaddr_un addr = {AF_UNIX, "/dev/log"};
  for (int tries = 0; tries < 2; ++tries) {
    if (sock < 0) {
      sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (sock < 0) return -1;
      if (connect(sock, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        close(sock);
        sock = -1;
        return -1;
      }
    }
    if (send(sock, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return 0;
    if (errno == EAGAIN) return -1;
    close(sock);
    sock = -1;
  }
  return -1;
}

void log_say(int prio, ...) {
  char line[600], num[24];
  size_t n = 0, cap = sizeof line - 1, text;
  int saved = errno;
  va_list ap;

  if (!use_stderr) {
    line[n++] = '<';
    put(line, &n, cap, fmt_ulong(num, (unsigned long)(LOG_DAEMON | prio)));
    put(line, &n, cap, ">");
  }
  text = n;
  put(line, &n, cap, "zsvwatch[");
  put(line, &n, cap, pid_text);
  put(line, &n, cap, "]: ");
  va_start(ap, prio);
  for (const char *s; (s = va_arg(ap, const char *)) != NULL;) put(line, &n, cap, s);
  va_end(ap);
  if (use_stderr || to_syslog(line, n) != 0) {
    line[n++] = '\n';
    if (write(2, line + text, n - text) < 0) { /* nowhere left to say it */ }
  }
  errno = saved;
}
