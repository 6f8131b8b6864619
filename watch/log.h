/* log: zsvwatch's messages, to syslog (/dev/log) or to stderr (for svlogd).
 * No stdio and no printf: a message is a list of strings, numbers formatted by
 * fmt_ulong, so the program stays small (zsvwatch(8), VmPeak). */
#ifndef ZSVWATCH_LOG_H
#define ZSVWATCH_LOG_H

#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_INFO: the constants only */

/* Messages go to stderr when to_stderr is set, else to syslog (facility daemon). */
void log_open(int to_stderr);

/* log_say(PRIO, PART, ..., NULL): one line made of the PARTs. */
void log_say(int prio, ...) __attribute__((sentinel));

/* V in decimal, in BUF (at least 24 bytes); returns BUF. */
char *fmt_ulong(char *buf, unsigned long v);

/* The name of errno value E ("ENOENT"), or its number. BUF: at least 24 bytes. */
const char *errno_name(int e, char *buf);

#endif
