/*
 * db.h: the store, one SQLite database file shared by every command.
 *
 * store_open() opens (or creates) the file, checks that it is a sluice store
 * (PRAGMA application_id) no newer than this binary, applies the pending
 * migrations of schema.sql, and sets the connection up for sharing: WAL
 * journal, foreign keys, a busy timeout, synchronous=NORMAL (a crash of the
 * process loses nothing committed; WAL keeps the file consistent).
 *
 * Writers use store_begin() (BEGIN IMMEDIATE: take the write lock up front,
 * so a transaction never fails half way on a lock upgrade), then
 * store_commit() or store_rollback().  Statements are always prepared with
 * bound parameters.
 *
 *   struct store *st;
 *   if (store_open(&st, "sluice.db", STORE_CREATE, &err)) ...
 *   ...
 *   store_close(st);
 */
#ifndef SL_DB_H
#define SL_DB_H

#include <sqlite3.h>

struct sl_err;

/* 'SLCE': marks a SQLite file as a sluice store. */
#define STORE_APP_ID 0x534c4345

enum {
	STORE_CREATE = 1,	/* create the file when it does not exist */
};

struct store {
	sqlite3 *db;
	char *path;
	int in_tx;	/* inside store_begin() .. commit/rollback */
	int wal_pages;	/* pages in the WAL after our last commit, while
			 * checkpoints are deferred */
};

extern const char sl_schema_sql[];

int store_open(struct store **out, const char *path, unsigned flags,
	       struct sl_err *err);
void store_close(struct store *st);

/* The highest "-- version N" in schema.sql. */
int store_schema_version(void);

int store_begin(struct store *st, struct sl_err *err);
int store_commit(struct store *st, struct sl_err *err);
void store_rollback(struct store *st);

/* Interactive use (the labelling UI): a commit never runs the WAL
 * checkpoint itself (SQLite's automatic one fsyncs the database inside
 * the commit that crosses 1000 pages: a 50 ms stall every few hundred
 * keypresses).  The caller runs store_checkpoint() at a moment nobody
 * waits for (the UI: once the next document is on screen); a WAL of
 * STORE_WAL_DEFER_MAX pages is checkpointed at commit all the same, so it
 * stays bounded.  Other processes keep their automatic checkpoints. */
#define STORE_WAL_DEFER_MAX 20000
void store_defer_checkpoints(struct store *st);
/* A passive checkpoint when our commits left pages in the WAL. */
void store_checkpoint(struct store *st);

/* Run SQL without results (several statements allowed). */
int store_exec(struct store *st, const char *sql, struct sl_err *err);
int store_prepare(struct store *st, sqlite3_stmt **stmt, const char *sql,
		  struct sl_err *err);

/* Fill err with "what: <sqlite message>" and return -1. */
int store_fail(struct store *st, struct sl_err *err, const char *what);

/* info table: key/value settings of the store.  get returns a malloc'd
 * string (caller frees) or NULL when absent. */
int store_info_set(struct store *st, const char *key, const char *value,
		   struct sl_err *err);
char *store_info_get(struct store *st, const char *key);
/* An integer in info (counters such as "lines.folds"): 0 when absent. */
long long store_info_int(struct store *st, const char *key);
int store_info_set_int(struct store *st, const char *key, long long value,
		       struct sl_err *err);

#endif
