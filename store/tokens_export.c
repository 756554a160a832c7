/*
 * tokens_export.c: store -> token shards (see tokens_export.h).
 *
 *   for split in (val, train):
 *     SELECT kept documents of the split, each copy of the mix, ORDER BY
 *            the shuffle key                          (calling thread)
 *     batches of BATCH: workers decompress and encode  (threads)
 *     in order: EOT + ids into the current shard, roll at shard_tokens
 *   manifest.json, stale shards removed
 */
#include "tokens_export.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <zstd.h>

#include "db.h"
#include "docs.h"
#include "labelsel.h"
#include "megatron.h"
#include "shards.h"
#include "../model/bpe.h"
#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/sha256.h"
#include "../lib/banned.h"

#define BATCH 256
#define SPLIT_SEED 0x76616c73706c6974ull	/* the split ignores --seed */
#define MIX_SEED 0x6d6978ull

struct job {
	struct buf id, z, text;
	size_t nbytes;
	struct ids ids;
	int failed;
	struct sl_err err;
};

struct tx {
	struct store *st;
	const struct tokens_opts *o;
	struct bpe *bpe;
	uint32_t eot;
	int u32;
	const char *outdir;
	struct shard_writer w;
	struct megatron mg;
	struct ids doc;		/* one document with its EOT, for megatron */
	uint64_t file_index;
	const char *split;
	json_t *shards;
	struct tokens_stats *stats;
	struct job jobs[BATCH];
	size_t njobs, next;
	pthread_mutex_t mu;
};

/* ---- SQL functions: mix copies, shuffle key, split ------------------ */

static double unit(const char *id, uint64_t seed)
{
	return (double)(hash64_seed(id, strlen(id), seed) >> 11) / 9007199254740992.0;
}

static double weight_of(const struct tokens_opts *o, const char *source)
{
	for (size_t i = 0; i < o->nmix; i++)
		if (!strcmp(o->mix[i].source, source))
			return o->mix[i].weight;
	return 1.0;
}

static void sql_copies(sqlite3_context *c, int n, sqlite3_value **v)
{
	const struct tokens_opts *o = sqlite3_user_data(c);
	const char *src = (const char *)sqlite3_value_text(v[0]);
	const char *id = (const char *)sqlite3_value_text(v[1]);
	double w = weight_of(o, src ? src : ""), whole = floor(w);

	(void)n;
	sqlite3_result_int64(c, (sqlite3_int64)whole +
			     (unit(id ? id : "", o->seed ^ MIX_SEED) < w - whole));
}

static void sql_key(sqlite3_context *c, int n, sqlite3_value **v)
{
	const struct tokens_opts *o = sqlite3_user_data(c);
	const char *id = (const char *)sqlite3_value_text(v[0]);
	uint64_t copy = (uint64_t)sqlite3_value_int64(v[1]);

	(void)n;
	sqlite3_result_int64(c, (sqlite3_int64)hash64_seed(id ? id : "",
		id ? strlen(id) : 0, o->seed + copy * 0x9E3779B97F4A7C15ull));
}

static void sql_isval(sqlite3_context *c, int n, sqlite3_value **v)
{
	const struct tokens_opts *o = sqlite3_user_data(c);
	const char *id = (const char *)sqlite3_value_text(v[0]);

	(void)n;
	sqlite3_result_int(c, unit(id ? id : "", SPLIT_SEED) < o->val_fraction);
}

/* ---- workers --------------------------------------------------------- */

static void *worker(void *arg)
{
	struct tx *x = arg;
	struct bpe_scratch *s = bpe_scratch_new();
	ZSTD_DCtx *d = ZSTD_createDCtx();

	for (;;) {
		struct job *j;
		size_t i;

		pthread_mutex_lock(&x->mu);
		i = x->next++;
		pthread_mutex_unlock(&x->mu);
		if (i >= x->njobs)
			break;
		j = &x->jobs[i];
		ids_reset(&j->ids);
		j->failed = !s || !d ||
			docs_unpack(d, j->z.data, j->z.len, j->nbytes, &j->text,
				    &j->err) ||
			bpe_encode(x->bpe, s, j->text.data, j->text.len, 0,
				   &j->ids, &j->err);
		if (j->failed && (!s || !d))
			sl_error(&j->err, "out of memory");
	}
	bpe_scratch_free(s);
	ZSTD_freeDCtx(d);
	return NULL;
}

static void encode_batch(struct tx *x)
{
	pthread_t th[64];
	int n = x->o->threads, started = 0;

	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	if (n > 64)
		n = 64;
	x->next = 0;
	for (int i = 1; i < n && (size_t)i < x->njobs; i++)
		if (!pthread_create(&th[started], NULL, worker, x))
			started++;
	worker(x);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* ---- shards ----------------------------------------------------------- */

static int shard_path(struct tx *x, struct buf *p)
{
	buf_reset(p);
	return buf_addf(p, "%s/%s_%s_%06llu.bin", x->outdir,
			x->o->name, x->split, (unsigned long long)x->file_index);
}

static int roll(struct tx *x, struct sl_err *err)
{
	char sha[65];
	struct buf p;
	const char *base;

	if (!x->w.open)
		return 0;
	buf_init(&p, 0);
	shard_path(x, &p);
	if (shard_close(&x->w, sha, err)) {
		buf_release(&p);
		return -1;
	}
	base = strrchr(p.data, '/') ? strrchr(p.data, '/') + 1 : p.data;
	json_array_append_new(x->shards, json_pack("{s:s,s:s,s:I,s:I,s:s}",
		"file", base, "split", x->split, "tokens", (json_int_t)x->w.tokens,
		"documents", (json_int_t)x->w.docs, "sha256", sha));
	x->stats->files++;
	x->file_index++;
	buf_release(&p);
	return 0;
}

static void count_doc(struct tx *x, size_t n)
{
	x->stats->docs++;
	x->stats->tokens += n;
	if (!strcmp(x->split, "val")) {
		x->stats->val_docs++;
		x->stats->val_tokens += n;
	}
}

static int put_megatron(struct tx *x, const struct job *j, struct sl_err *err)
{
	struct ids *d = &x->doc;

	ids_reset(d);
	if (ids_grow(d, j->ids.len + 1))
		return sl_error(err, "out of memory");
	if (!x->o->eot_after)
		d->v[d->len++] = x->eot;
	if (j->ids.len)
		memcpy(d->v + d->len, j->ids.v, j->ids.len * sizeof(uint32_t));
	d->len += j->ids.len;
	if (x->o->eot_after)
		d->v[d->len++] = x->eot;
	if (megatron_add(&x->mg, d->v, d->len, err))
		return -1;
	count_doc(x, d->len);
	return 0;
}

static int megatron_begin(struct tx *x, struct sl_err *err)
{
	struct buf p;
	int rc;

	buf_init(&p, 0);
	buf_addf(&p, "%s/%s_%s", x->outdir, x->o->name, x->split);
	rc = megatron_open(&x->mg, p.data, !x->u32, err);
	buf_release(&p);
	return rc;
}

static int megatron_end(struct tx *x, struct sl_err *err)
{
	char bsha[65], isha[65], bname[300], iname[300];
	uint64_t docs = x->mg.docs, bytes = x->mg.offset;

	if (megatron_close(&x->mg, bsha, isha, err))
		return -1;
	snprintf(bname, sizeof(bname), "%s_%s.bin", x->o->name, x->split);
	snprintf(iname, sizeof(iname), "%s_%s.idx", x->o->name, x->split);
	json_array_append_new(x->shards, json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,"
		"s:s}", "file", bname, "index", iname, "split", x->split,
		"tokens", (json_int_t)(bytes / (x->u32 ? 4 : 2)),
		"documents", (json_int_t)docs, "sha256", bsha,
		"index_sha256", isha));
	x->stats->files += 2;
	return 0;
}

static int put_doc(struct tx *x, const struct job *j, struct sl_err *err)
{
	const struct tokens_opts *o = x->o;
	size_t n = j->ids.len + 1;
	struct buf p;
	int rc;

	if (j->ids.len < o->min_tokens) {
		x->stats->skipped_short++;
		return 0;
	}
	if (o->format == TOKENS_MEGATRON)
		return put_megatron(x, j, err);
	if (x->w.open && (x->w.tokens >= o->shard_tokens || shard_room(&x->w) < n)
	    && roll(x, err))
		return -1;
	if (!x->w.open) {
		buf_init(&p, 0);
		shard_path(x, &p);
		rc = shard_open(&x->w, p.data, x->u32, err);
		buf_release(&p);
		if (rc)
			return -1;
	}
	if (shard_room(&x->w) < n)
		return sl_error(err, "document '%s' alone passes 2 GiB of tokens",
				j->id.data);
	if ((!o->eot_after && shard_append(&x->w, &x->eot, 1, err)) ||
	    shard_append(&x->w, j->ids.v ? j->ids.v : &x->eot, j->ids.len, err) ||
	    (o->eot_after && shard_append(&x->w, &x->eot, 1, err)))
		return -1;
	x->w.docs++;
	count_doc(x, n);
	return 0;
}

/* ---- one split ------------------------------------------------------- */

static const char select_sql[] =
	"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
	"WHERE i < ?1) "
	"SELECT docs.id, coalesce(t.text, docs.text), "
	"coalesce(t.nbytes, docs.nbytes) FROM docs LEFT JOIN texts t ON "
	"t.doc = docs.rowid JOIN n ON n.i < sl_copies(docs.source, docs.id) "
	"WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc = docs.rowid "
	"AND v.decision = 'drop') AND (?2 IS NULL OR docs.lang = ?2) AND "
	"(?3 IS NULL OR docs.source = ?3) AND sl_isval(docs.id) = ?4"
	LABELSEL_SQL("?5") " ORDER BY sl_key(docs.id, n.i), docs.rowid, n.i";

static int max_copies(const struct tokens_opts *o)
{
	double m = 1;

	for (size_t i = 0; i < o->nmix; i++)
		if (o->mix[i].weight > m)
			m = o->mix[i].weight;
	return (int)ceil(m);
}

static int run_split(struct tx *x, int val, struct sl_err *err)
{
	sqlite3_stmt *q;
	int rc = 0, step;

	x->split = val ? "val" : "train";
	if (x->o->format == TOKENS_MEGATRON && megatron_begin(x, err))
		return -1;
	if (store_prepare(x->st, &q, select_sql, err))
		return -1;
	sqlite3_bind_int(q, 1, max_copies(x->o));
	if (x->o->lang)
		sqlite3_bind_text(q, 2, x->o->lang, -1, SQLITE_STATIC);
	if (x->o->source)
		sqlite3_bind_text(q, 3, x->o->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, val);
	if (x->o->label_rules)
		sqlite3_bind_text(q, 5, x->o->label_rules, -1, SQLITE_STATIC);
	do {
		x->njobs = 0;
		while (x->njobs < BATCH && (step = sqlite3_step(q)) == SQLITE_ROW) {
			struct job *j = &x->jobs[x->njobs++];

			buf_reset(&j->id);
			buf_reset(&j->z);
			if (buf_adds(&j->id, (const char *)sqlite3_column_text(q, 0)) ||
			    buf_add(&j->z, sqlite3_column_blob(q, 1),
				    (size_t)sqlite3_column_bytes(q, 1))) {
				rc = sl_error(err, "out of memory");
				break;
			}
			j->nbytes = (size_t)sqlite3_column_int64(q, 2);
		}
		if (!rc && x->njobs < BATCH && step != SQLITE_DONE)
			rc = store_fail(x->st, err, "cannot read documents");
		if (rc)
			break;
		encode_batch(x);
		for (size_t i = 0; i < x->njobs && !rc; i++) {
			if (x->jobs[i].failed) {
				*err = x->jobs[i].err;
				rc = sl_error_prefix(err, "document '%s': ",
						     x->jobs[i].id.data);
			} else {
				rc = put_doc(x, &x->jobs[i], err);
			}
		}
	} while (!rc && x->njobs == BATCH);
	sqlite3_finalize(q);
	if (!rc)
		rc = x->o->format == TOKENS_MEGATRON ? megatron_end(x, err) :
		     roll(x, err);
	return rc;
}

/* ---- manifest, cleanup ------------------------------------------------ */

static json_t *filter_summary(struct store *st)
{
	json_t *o = json_object();
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "SELECT stage, sum(decision = 'keep'), "
			       "sum(decision = 'drop'), sum(decision = 'flag'), "
			       "min(version) FROM verdicts GROUP BY stage ORDER "
			       "BY stage", -1, &s, NULL) != SQLITE_OK)
		return o;
	while (sqlite3_step(s) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(s, 0),
			json_pack("{s:I,s:I,s:I,s:s}",
				  "kept", (json_int_t)sqlite3_column_int64(s, 1),
				  "dropped", (json_int_t)sqlite3_column_int64(s, 2),
				  "flagged", (json_int_t)sqlite3_column_int64(s, 3),
				  "version", (const char *)sqlite3_column_text(s, 4)));
	sqlite3_finalize(s);
	return o;
}

static int write_manifest(struct tx *x, struct sl_err *err)
{
	const struct tokens_opts *o = x->o;
	struct atomicfile af;
	struct buf path;
	json_t *m, *mix = json_object(), *sel;
	char sha[65];
	char *text;
	int rc;

	if (bpe_ranks_sha256(x->bpe, sha, err))
		return -1;
	for (size_t i = 0; i < o->nmix; i++)
		json_object_set_new(mix, o->mix[i].source, json_real(o->mix[i].weight));
	sel = json_pack("{s:s,s:o,s:o,s:I,s:o,s:f,s:I}",
		"kept", "documents no filter stage dropped",
		"lang", o->lang ? json_string(o->lang) : json_null(),
		"source", o->source ? json_string(o->source) : json_null(),
		"min_tokens", (json_int_t)o->min_tokens, "mix", mix,
		"val_fraction", o->val_fraction, "seed", (json_int_t)o->seed);
	json_object_set_new(sel, "label_rules", o->label_rules ?
			    json_loads(o->label_rules, 0, NULL) : json_array());
	m = json_pack("{s:s,s:i,s:i,s:s,s:{s:s,s:s,s:I,s:I},s:s,s:I,s:O,s:o,"
		      "s:o,s:{s:I,s:I,s:I,s:I,s:I},s:s}",
		"format", o->format == TOKENS_MEGATRON ? "megatron" : "llm.c",
		"magic", o->format == TOKENS_MEGATRON ? 0 :
			 x->u32 ? SHARD_MAGIC_U32 : SHARD_MAGIC_U16,
		"version", o->format == TOKENS_MEGATRON ? 1 :
			   x->u32 ? SHARD_VERSION_U32 : SHARD_VERSION_U16,
		"dtype", x->u32 ? (o->format == TOKENS_MEGATRON ? "int32" :
				   "uint32") : "uint16",
		"tokenizer", "name", bpe_name(x->bpe), "ranks_sha256", sha,
		"vocab_size", (json_int_t)bpe_vocab_size(x->bpe),
		"eot_id", (json_int_t)x->eot,
		"eot", o->eot_after ? "after" : "before",
		"shard_tokens", (json_int_t)o->shard_tokens,
		"shards", x->shards, "selection", sel,
		"filter_summary", filter_summary(x->st),
		"totals", "documents", (json_int_t)x->stats->docs,
		"tokens", (json_int_t)x->stats->tokens,
		"val_documents", (json_int_t)x->stats->val_docs,
		"val_tokens", (json_int_t)x->stats->val_tokens,
		"skipped_short", (json_int_t)x->stats->skipped_short,
		"sluice_version", o->version ? o->version : "");
	text = m ? json_dumps(m, JSON_INDENT(2)) : NULL;
	json_decref(m);
	if (!text)
		return sl_error(err, "out of memory");
	buf_init(&path, 0);
	buf_addf(&path, "%s/manifest.json", x->outdir);
	rc = atomicfile_open(&af, path.data, err);
	if (!rc) {
		fputs(text, af.fp);
		fputc('\n', af.fp);
		rc = atomicfile_commit(&af, err);
	}
	buf_release(&path);
	free(text);
	return rc;
}

/* Remove NAME_{val,train}_NNNNNN.bin files this export did not write. */
static int remove_stale(struct tx *x, struct sl_err *err)
{
	DIR *d = opendir(x->outdir);
	struct dirent *de;
	struct buf p;
	size_t nl = strlen(x->o->name);
	int rc = 0;

	if (!d)
		return sl_error(err, "cannot open '%s':", x->outdir);
	buf_init(&p, 0);
	while ((de = readdir(d))) {
		const char *n = de->d_name, *rest;
		unsigned long long idx;
		int keep = 0;
		size_t i;
		json_t *s;

		if (strncmp(n, x->o->name, nl) || n[nl] != '_')
			continue;
		rest = n + nl + 1;
		if (sscanf(rest, "val_%6llu.bin", &idx) != 1 &&
		    sscanf(rest, "train_%6llu.bin", &idx) != 1)
			continue;
		json_array_foreach(x->shards, i, s)
			keep |= !strcmp(json_string_value(json_object_get(s, "file")), n);
		if (keep)
			continue;
		buf_reset(&p);
		buf_addf(&p, "%s/%s", x->outdir, n);
		if (unlink(p.data) && errno != ENOENT)
			rc = sl_error(err, "cannot remove '%s':", p.data);
	}
	closedir(d);
	buf_release(&p);
	return rc;
}

int tokens_export(struct store *st, const char *outdir,
		  const struct tokens_opts *opts, struct tokens_stats *stats,
		  struct sl_err *err)
{
	struct tokens_opts o = *opts;
	struct tx x = { .st = st, .o = &o, .outdir = outdir, .stats = stats };
	int rc = -1;

	if (!o.tokenizer)
		o.tokenizer = "cl100k_base";
	if (!o.name)
		o.name = "sluice";
	if (!o.shard_tokens)
		o.shard_tokens = 100000000;
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_init(&x.mu, NULL);
	for (size_t i = 0; i < BATCH; i++) {
		buf_init(&x.jobs[i].id, 0);
		buf_init(&x.jobs[i].z, 0);
		buf_init(&x.jobs[i].text, 0);
		ids_init(&x.jobs[i].ids);
	}
	x.shards = json_array();
	ids_init(&x.doc);
	if (bpe_open(&x.bpe, o.tokenizer, err))
		goto out;
	x.eot = bpe_eot_id(x.bpe);
	if (x.eot == BPE_NO_ID) {
		sl_error(err, "tokenizer '%s' has no <|endoftext|> token",
			 o.tokenizer);
		goto out;
	}
	/* llm.c: uint16 when every id fits; Megatron: below 65500 */
	x.u32 = bpe_vocab_size(x.bpe) > (o.format == TOKENS_MEGATRON ? 65500u :
					 65536u);
	if (o.eot_after < 0)
		o.eot_after = o.format == TOKENS_MEGATRON;
	if (mkdir(outdir, 0777) && errno != EEXIST) {
		sl_error(err, "cannot create '%s':", outdir);
		goto out;
	}
	if (atomicfile_sweep(outdir, err) < 0)
		goto out;
	sqlite3_create_function(st->db, "sl_copies", 2, SQLITE_UTF8 |
				SQLITE_DETERMINISTIC, &o, sql_copies, NULL, NULL);
	sqlite3_create_function(st->db, "sl_key", 2, SQLITE_UTF8 |
				SQLITE_DETERMINISTIC, &o, sql_key, NULL, NULL);
	sqlite3_create_function(st->db, "sl_isval", 1, SQLITE_UTF8 |
				SQLITE_DETERMINISTIC, &o, sql_isval, NULL, NULL);
	/* the sort spills to temp files, not memory, on big corpora */
	if (store_exec(st, "PRAGMA temp_store = FILE; BEGIN", err))
		goto out;
	rc = run_split(&x, 1, err) || run_split(&x, 0, err) ? -1 : 0;
	store_exec(st, "COMMIT; PRAGMA temp_store = MEMORY", NULL);
	if (!rc)
		rc = write_manifest(&x, err) || remove_stale(&x, err) ? -1 : 0;
out:
	shard_abort(&x.w);
	megatron_abort(&x.mg);
	ids_release(&x.doc);
	for (size_t i = 0; i < BATCH; i++) {
		buf_release(&x.jobs[i].id);
		buf_release(&x.jobs[i].z);
		buf_release(&x.jobs[i].text);
		ids_release(&x.jobs[i].ids);
	}
	json_decref(x.shards);
	bpe_close(x.bpe);
	pthread_mutex_destroy(&x.mu);
	return rc;
}
