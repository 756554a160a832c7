/*
 * lockfile.h: one holder at a time, across processes (flock on a file).
 *
 * The kernel drops an flock when its holder dies, even by kill -9, so a
 * lock left by a killed run is free again: no stale-lock guessing.  The
 * file itself keeps the last holder's pid and start time, so a refused
 * caller can say who holds it.
 *
 *   struct lockfile lk;
 *   rc = lockfile_take(&lk, "sluice.db.lock", wait_seconds, &err);
 *   // 0: ours; 1: held by another (err names the pid and start time);
 *   // -1: error
 *   ...
 *   lockfile_release(&lk);
 */
#ifndef SL_LOCKFILE_H
#define SL_LOCKFILE_H

struct sl_err;

struct lockfile {
	int fd;
};

/* wait_seconds: 0 to fail at once, < 0 to wait for ever. */
int lockfile_take(struct lockfile *lk, const char *path, int wait_seconds,
		  struct sl_err *err);
void lockfile_release(struct lockfile *lk);

#endif
