/* sitepaths: reading /etc/default/zsv (see sitepaths.h) without stdio or heap.
 * The file is read whole into the caller's buffer and its lines are cut in
 * place; a lookup walks them. It is opened non-blocking and checked to be a
 * regular file, so a FIFO planted there is never waited on. */
#include "sitepaths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static size_t site_len;   /* the bytes of the buffer that hold lines */

void site_paths_read(char *buf) {
  const char *file = getenv("ZSV_PATHS");
  char err[24];
  if (file == NULL || *file == '\0') file = "/etc/default/zsv";
  buf[0] = '\0';
  int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT) log_say(LOG_WARNING, file, ": ", errno_name(errno, err), NULL);
    return;
  }
  struct stat st;
  size_t n = 0;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    log_say(LOG_WARNING, file, ": not a regular file, ignored", NULL);
  } else {
    ssize_t r;
    while (n < SITE_PATHS_MAX - 1 && (r = read(fd, buf + n, SITE_PATHS_MAX - 1 - n)) > 0) n += (size_t)r;
    if (n == SITE_PATHS_MAX - 1) {
      log_say(LOG_WARNING, file, ": too big, ignored", NULL);
      n = 0;
    }
  }
  close(fd);
  buf[n] = '\0';
  for (size_t i = 0; i < n; ++i)
    if (buf[i] == '\n') buf[i] = '\0';
  site_len = n;
}

const char *site_paths_get(const char *buf, const char *name) {
  const char *found = NULL;
  size_t k = strlen(name);
  for (const char *line = buf; line < buf + site_len; line += strlen(line) + 1) {
    if (strncmp(line, name, k) == 0 && line[k] == '=') found = line + k + 1;
  }
  return found != NULL && *found != '\0' ? found : NULL;
}
