#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../lib/banned.h"

#define BUSY_TIMEOUT_MS 60000
#define VERSION_MARK "-- version "

int store_fail(struct store *st, struct sl_err *err, const char *what)
{
	return sl_error(err, "%s: %s", what,
			st && st->db ? sqlite3_errmsg(st->db) : "no database");
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *st = arg;

	st->wal_pages = pages;
	if (pages >= STORE_WAL_DEFER_MAX) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
		st->wal_pages = 0;
	}
	return SQLITE_OK;
}

void store_defer_checkpoints(struct store *st)
{
	sqlite3_wal_hook(st->db, wal_hook, st);
}

void store_checkpoint(struct store *st)
{
	if (st->wal_pages > 0) {
		/* busy (another connection writing) is fine: try later */
		sqlite3_wal_checkpoint_v2(st->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		st->wal_pages = 0;
	}
}

int store_exec(struct store *st, const char *sql, struct sl_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sl_error(err, "store '%s': %s", st->path,
			 msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_prepare(struct store *st, sqlite3_stmt **stmt, const char *sql,
		  struct sl_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return sl_error(err, "store '%s': cannot prepare query: %s",
				st->path, sqlite3_errmsg(st->db));
	return 0;
}

int store_begin(struct store *st, struct sl_err *err)
{
	if (store_exec(st, "BEGIN IMMEDIATE", err))
		return -1;
	st->in_tx = 1;
	return 0;
}

int store_commit(struct store *st, struct sl_err *err)
{
	if (store_exec(st, "COMMIT", err)) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void store_rollback(struct store *st)
{
	if (st->in_tx && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

static int pragma_int(struct store *st, const char *sql, int *out,
		      struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, err, st->path);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	else if (rc != SQLITE_DONE) {
		sqlite3_finalize(s);
		return store_fail(st, err, st->path);
	}
	sqlite3_finalize(s);
	return 0;
}

/* Start of the section "-- version v" in schema.sql, or NULL. */
static const char *section(int v, const char **end)
{
	const char *p = sl_schema_sql, *next;

	for (;;) {
		p = strstr(p, VERSION_MARK);
		if (!p)
			return NULL;
		p += strlen(VERSION_MARK);
		if (strtol(p, NULL, 10) == v)
			break;
	}
	next = strstr(p, VERSION_MARK);
	*end = next ? next : p + strlen(p);
	return p;
}

int store_schema_version(void)
{
	const char *p = sl_schema_sql;
	int v = 0;

	while ((p = strstr(p, VERSION_MARK))) {
		p += strlen(VERSION_MARK);
		long n = strtol(p, NULL, 10);
		if (n > v)
			v = (int)n;
	}
	return v;
}

static int migrate_one(struct store *st, int v, struct sl_err *err)
{
	const char *start, *end;
	struct buf sql;
	int rc = -1;

	start = section(v, &end);
	if (!start)
		return sl_error(err, "schema.sql has no version %d", v);
	buf_init(&sql, 0);
	/* skip the rest of the marker line: "N\n" */
	start = strchr(start, '\n');
	if (!start || start > end)
		start = end;
	if (buf_add(&sql, start, (size_t)(end - start)) ||
	    buf_addf(&sql, "\nPRAGMA user_version = %d;"
		     "\nPRAGMA application_id = %d;", v, STORE_APP_ID)) {
		sl_error(err, "out of memory");
		goto out;
	}
	rc = store_exec(st, sql.data, err);
	if (rc)
		sl_error_prefix(err, "cannot migrate to schema version %d: ", v);
out:
	buf_release(&sql);
	return rc;
}

/* Bring the schema up to date.  Runs under BEGIN IMMEDIATE so two processes
 * opening a new store at once cannot both create the tables. */
static int migrate(struct store *st, struct sl_err *err)
{
	int have = 0, app = 0, want = store_schema_version(), v;
	char now[CLOCK_ISO_LEN];

	if (pragma_int(st, "PRAGMA user_version", &have, err))
		return -1;
	if (have == want)
		return 0;
	if (store_begin(st, err))
		return -1;
	if (pragma_int(st, "PRAGMA user_version", &have, err) ||
	    pragma_int(st, "PRAGMA application_id", &app, err))
		goto fail;
	for (v = have + 1; v <= want; v++)
		if (migrate_one(st, v, err))
			goto fail;
	if (have == 0 &&
	    store_info_set(st, "created", clock_iso_now(now), err))
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

/* Refuse files that are not ours, or newer than this binary. */
static int check_identity(struct store *st, struct sl_err *err)
{
	int app = 0, ver = 0, tables = 0;

	if (pragma_int(st, "PRAGMA application_id", &app, err) ||
	    pragma_int(st, "PRAGMA user_version", &ver, err))
		return sl_error(err, "'%s' is not a sluice store (%s)",
				st->path, sqlite3_errmsg(st->db));
	if (pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err))
		return -1;
	if (app == 0 && ver == 0 && tables == 0)
		return 0;	/* empty file: ours to set up */
	if (app != STORE_APP_ID)
		return sl_error(err, "'%s' is not a sluice store "
				"(it is a SQLite database of another program)",
				st->path);
	if (ver > store_schema_version())
		return sl_error(err, "'%s' was written by a newer sluice "
				"(schema version %d; this binary knows up to %d): "
				"upgrade sluice", st->path, ver,
				store_schema_version());
	return 0;
}

static int setup(struct store *st, struct sl_err *err)
{
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	if (check_identity(st, err))
		return -1;
	/* 16 KiB pages: fewer overflow pages and syscalls for text blobs;
	 * only takes effect while the file is still empty */
	if (store_exec(st, "PRAGMA page_size = 16384", err) ||
	    store_exec(st, "PRAGMA journal_mode = WAL", err) ||
	    store_exec(st, "PRAGMA synchronous = NORMAL;"
		       "PRAGMA foreign_keys = ON;"
		       "PRAGMA temp_store = MEMORY;"
		       "PRAGMA cache_size = -65536", err))
		return -1;
	return migrate(st, err);
}

int store_open(struct store **out, const char *path, unsigned flags,
	       struct sl_err *err)
{
	struct store *st;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (stat(path, &sb)) {
		if (errno != ENOENT || !(flags & STORE_CREATE))
			return sl_error(err, "cannot open store '%s':", path);
		oflags |= SQLITE_OPEN_CREATE;
	} else if (!S_ISREG(sb.st_mode)) {
		return sl_error(err, "'%s' is not a sluice store (not a file)",
				path);
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return sl_error(err, "out of memory");
	}
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		sl_error(err, "cannot open store '%s': %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return -1;
	}
	if (setup(st, err)) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_rollback(st);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

int store_info_set(struct store *st, const char *key, const char *value,
		   struct sl_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, &s, "INSERT OR REPLACE INTO info(key, value) "
			  "VALUES (?1, ?2)", err))
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot write store info");
	return 0;
}

char *store_info_get(struct store *st, const char *key)
{
	sqlite3_stmt *s;
	char *res = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM info WHERE key = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		res = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return res;
}

long long store_info_int(struct store *st, const char *key)
{
	char *v = store_info_get(st, key);
	long long n = v ? strtoll(v, NULL, 10) : 0;

	free(v);
	return n;
}

int store_info_set_int(struct store *st, const char *key, long long value,
		       struct sl_err *err)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", value);
	return store_info_set(st, key, num, err);
}
