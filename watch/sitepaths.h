/* sitepaths: the site's path defaults, the file zsvgen and the hooks read too
 * (/etc/default/zsv, or the file $ZSV_PATHS names): `ZSV_NAME=VALUE` lines, the
 * value verbatim, `#` comments and blank lines. Flags win over the ZSV_*
 * environment, which wins over the file, which wins over the built-in defaults. */
#ifndef ZSVWATCH_SITEPATHS_H
#define ZSVWATCH_SITEPATHS_H

enum { SITE_PATHS_MAX = 8192 };

/* Reads the file into BUF (SITE_PATHS_MAX bytes, kept by the caller for as long
 * as the values are used). A missing file is no values; one that is not a
 * regular file, too big, or unreadable is a warning and no values. */
void site_paths_read(char *buf);

/* The value of NAME ("ZSV_SVTAB") in BUF, or NULL; a later line wins, an empty
 * value counts as none. */
const char *site_paths_get(const char *buf, const char *name);

#endif
