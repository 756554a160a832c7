#include "atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "banned.h"

#define TMP_MARK ".tmp-"

static char *dir_of(const char *path)
{
	char *copy = strdup(path), *d, *res;

	if (!copy)
		return NULL;
	d = dirname(copy);
	res = strdup(d);
	free(copy);
	return res;
}

int atomicfile_open(struct atomicfile *af, const char *path, struct sl_err *err)
{
	struct buf b;
	const char *base = strrchr(path, '/');
	int fd;

	af->path = NULL;
	af->tmp = NULL;
	af->fp = NULL;
	buf_init(&b, 0);
	if (base)
		buf_add(&b, path, (size_t)(base - path + 1));
	base = base ? base + 1 : path;
	if (buf_addf(&b, ".%s" TMP_MARK "%ld", base, (long)getpid()))
		return sl_error(err, "out of memory");
	af->path = strdup(path);
	af->tmp = buf_detach(&b, NULL);
	if (!af->path || !af->tmp) {
		atomicfile_abort(af);
		return sl_error(err, "out of memory");
	}
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		sl_error(err, "cannot create '%s':", af->tmp);
		free(af->tmp);
		af->tmp = NULL;
		atomicfile_abort(af);
		return -1;
	}
	af->fp = fdopen(fd, "wb");
	if (!af->fp) {
		close(fd);
		atomicfile_abort(af);
		return sl_error(err, "cannot open '%s':", path);
	}
	return 0;
}

int atomicfile_commit(struct atomicfile *af, struct sl_err *err)
{
	char *dir;
	int rc = -1;

	if (fflush(af->fp) || ferror(af->fp)) {
		sl_error(err, "cannot write '%s':", af->path);
		goto out;
	}
	if (fsync(fileno(af->fp))) {
		sl_error(err, "cannot sync '%s':", af->path);
		goto out;
	}
	if (fclose(af->fp)) {
		af->fp = NULL;
		sl_error(err, "cannot write '%s':", af->path);
		goto out;
	}
	af->fp = NULL;
	if (rename(af->tmp, af->path)) {
		sl_error(err, "cannot rename '%s' to '%s':", af->tmp, af->path);
		goto out;
	}
	free(af->tmp);
	af->tmp = NULL;
	dir = dir_of(af->path);
	rc = dir ? fsync_dir(dir, err) : sl_error(err, "out of memory");
	free(dir);
out:
	atomicfile_abort(af);
	return rc;
}

void atomicfile_abort(struct atomicfile *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	af->fp = NULL;
	af->tmp = NULL;
	af->path = NULL;
}

int fsync_dir(const char *dir, struct sl_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sl_error(err, "cannot open directory '%s':", dir);
	if (fsync(fd) && errno != EINVAL) {
		close(fd);
		return sl_error(err, "cannot sync directory '%s':", dir);
	}
	close(fd);
	return 0;
}

/* ".name.tmp-PID": true when it is ours and PID is not running. */
static int stale_tmp(const char *name)
{
	const char *mark = strstr(name, TMP_MARK);
	char *end;
	long pid;

	if (name[0] != '.' || !mark)
		return 0;
	errno = 0;
	pid = strtol(mark + strlen(TMP_MARK), &end, 10);
	if (errno || *end || pid <= 0)
		return 0;
	if (pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

int atomicfile_sweep(const char *dir, struct sl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct buf p;
	int n = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return sl_error(err, "cannot open directory '%s':", dir);
	}
	buf_init(&p, 0);
	while ((de = readdir(d))) {
		if (!stale_tmp(de->d_name))
			continue;
		buf_reset(&p);
		if (buf_addf(&p, "%s/%s", dir, de->d_name))
			break;
		if (!unlink(p.data))
			n++;
	}
	buf_release(&p);
	closedir(d);
	return n;
}
