#include "lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "banned.h"

static void holder(int fd, char *out, size_t n)
{
	ssize_t r = pread(fd, out, n - 1, 0);

	out[r > 0 ? r : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (!out[0])
		snprintf(out, n, "unknown");
}

int lockfile_take(struct lockfile *lk, const char *path, int wait_seconds,
		  struct sl_err *err)
{
	double deadline = clock_mono() + wait_seconds;
	char who[128], now[CLOCK_ISO_LEN];
	int n;

	lk->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lk->fd < 0)
		return sl_error(err, "cannot open lock file '%s':", path);
	while (flock(lk->fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			sl_error(err, "cannot lock '%s':", path);
			lockfile_release(lk);
			return -1;
		}
		if (wait_seconds == 0 ||
		    (wait_seconds > 0 && clock_mono() >= deadline)) {
			holder(lk->fd, who, sizeof(who));
			sl_error(err, "'%s' is locked by another run (%s)", path,
				 who);
			lockfile_release(lk);
			return 1;
		}
		usleep(200 * 1000);
	}
	n = snprintf(who, sizeof(who), "pid %ld, started %s\n", (long)getpid(),
		     clock_iso_now(now));
	if (ftruncate(lk->fd, 0) || pwrite(lk->fd, who, (size_t)n, 0) != n) {
		sl_error(err, "cannot write lock file '%s':", path);
		lockfile_release(lk);
		return -1;
	}
	return 0;
}

void lockfile_release(struct lockfile *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);	/* drops the flock */
	lk->fd = -1;
}
