/* run: starting zsvgen and reporting how it ended.
 *
 * vfork shares zsvwatch's memory until the child's execve, so a run costs
 * zsvwatch no memory (fork would copy its page tables, posix_spawn maps a
 * stack for the child in the parent). The child only unblocks the signals
 * zsvwatch keeps blocked for its signalfd (a blocked mask survives execve and
 * would blind zsvgen to TERM) and execs; everything zsvwatch holds open is
 * close-on-exec. */
#include "run.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static struct timespec started;

/* PROG itself when it holds a '/', else the first executable PATH/PROG, into BUF. */
static const char *find_program(const char *prog, char **envp, char *buf, size_t size) {
  const char *path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
  if (strchr(prog, '/') != NULL) return access(prog, X_OK) == 0 ? prog : NULL;
  for (char **e = envp; *e != NULL; ++e)
    if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
  size_t plen = strlen(prog);
  for (const char *p = path;; ++p) {
    const char *end = strchr(p, ':');
    size_t dlen = end != NULL ? (size_t)(end - p) : strlen(p);
    if (dlen == 0) { p = "."; dlen = 1; }
    if (dlen + plen + 2 <= size) {
      memcpy(buf, p, dlen);
      buf[dlen] = '/';
      memcpy(buf + dlen + 1, prog, plen + 1);
      struct stat st;
      if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return buf;
    }
    if (end == NULL) return NULL;
    p = end;
  }
}

pid_t run_start(const struct run_spec *spec, unsigned long number) {
  char path[4096], num[24], err[24];
  const char *prog = find_program(spec->zsvgen, spec->envp, path, sizeof path);
  if (prog == NULL) {
    log_say(LOG_ERR, "run ", fmt_ulong(num, number), ": cannot run ", spec->zsvgen,
            ": not found or not executable", NULL);
    return 0;
  }
  spec->argv[0] = (char *)prog;   /* the child reads only SPEC, never a local */
  clock_gettime(CLOCK_MONOTONIC, &started);
  pid_t pid = vfork();
  if (pid == 0) {
    sigprocmask(SIG_UNBLOCK, spec->unblock, NULL);
    execve(spec->argv[0], spec->argv, spec->envp);
    _exit(errno == ENOENT ? 127 : 126);
  }
  if (pid < 0) {
    log_say(LOG_ERR, "run ", fmt_ulong(num, number), ": vfork: ", errno_name(errno, err), NULL);
    return 0;
  }
  log_say(LOG_INFO, "run ", fmt_ulong(num, number), ": ", spec->argv[0], " (pid ",
          fmt_ulong(err, (unsigned long)pid), ")", NULL);
  return pid;
}

int run_reap(pid_t pid, unsigned long number) {
  int status;
  char num[24], a[24], ms[24];
  pid_t r;
  while ((r = waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {}
  if (r != pid) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long elapsed = (now.tv_sec - started.tv_sec) * 1000L + (now.tv_nsec - started.tv_nsec) / 1000000L;
  fmt_ulong(num, number);
  fmt_ulong(ms, (unsigned long)(elapsed < 0 ? 0 : elapsed));
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    log_say(code == 0 ? LOG_INFO : LOG_WARNING, "run ", num, ": zsvgen exited ",
            fmt_ulong(a, (unsigned long)code), " after ", ms, " ms", NULL);
  } else {
    log_say(LOG_WARNING, "run ", num, ": zsvgen killed by signal ",
            fmt_ulong(a, (unsigned long)WTERMSIG(status)), " after ", ms, " ms", NULL);
  }
  return 1;
}
