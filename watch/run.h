/* run: one zsvgen at a time, started by vfork + execve and reaped from the
 * signalfd's SIGCHLD; its outcome (status, duration) is logged. */
#ifndef ZSVWATCH_RUN_H
#define ZSVWATCH_RUN_H

#include <signal.h>
#include <sys/types.h>

struct run_spec {
  const char *zsvgen;   /* a path, or a name looked up in PATH at each run */
  char **argv;          /* argv[0] is replaced by the program found */
  char **envp;          /* the environment, ZSV_* paths set */
  const sigset_t *unblock;   /* what the child unblocks before exec */
};

/* Starts zsvgen; its pid, or 0 when it could not start (logged, e.g. not found). */
pid_t run_start(const struct run_spec *spec, unsigned long number);

/* Reaps PID if it has ended: 1 (its outcome logged), else 0. */
int run_reap(pid_t pid, unsigned long number);

#endif
