/*
 * atomicfile.h: write a file so that readers see the old file or the whole
 * new one, never a part (git's lockfile.h, without the lock).
 *
 *   struct atomicfile af;
 *   if (atomicfile_open(&af, "out/0000.jsonl.zst", err)) ...
 *   write(af.fd, ...)  or  fwrite(..., af.fp)
 *   if (atomicfile_commit(&af, err)) ...   // fsync, rename, fsync the dir
 *   ... or on any error: atomicfile_abort(&af);  // unlinks the temp file
 *
 * The data goes to ".<name>.tmp-<pid>" beside the final name.  Temp files
 * left by a killed process match ATOMICFILE_TMP_GLOB and are removed by
 * atomicfile_sweep().  commit and abort release everything; calling abort
 * after a successful commit is harmless.
 */
#ifndef SL_ATOMICFILE_H
#define SL_ATOMICFILE_H

#include <stdio.h>

struct sl_err;

struct atomicfile {
	char *path;	/* final name */
	char *tmp;	/* temp name while open, NULL after commit/abort */
	FILE *fp;	/* buffered stream on the temp file */
};

int atomicfile_open(struct atomicfile *af, const char *path, struct sl_err *err);
int atomicfile_commit(struct atomicfile *af, struct sl_err *err);
void atomicfile_abort(struct atomicfile *af);

/* Remove temp files of atomicfile in dir whose writer is dead. Returns the
 * number removed, or -1. */
int atomicfile_sweep(const char *dir, struct sl_err *err);

/* fsync a directory so a rename in it survives a crash. */
int fsync_dir(const char *dir, struct sl_err *err);

#endif
