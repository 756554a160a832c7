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

#endif
