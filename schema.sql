-- schema.sql: the sluice store, the one source of truth for its tables.
--
-- Compiled into the binary.  The file is a list of migrations, each headed
-- by a line "-- version N".  A new store runs them all; a store whose
-- PRAGMA user_version is K runs those above K, each in its own transaction,
-- and sets user_version to N.  Never edit a version that has shipped: add
-- the next one.  PRAGMA application_id marks the file as a sluice store.

-- version 1
CREATE TABLE info (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
) WITHOUT ROWID;

-- One row per document.  Text is stored as one zstd frame; its byte length,
-- code point count and XXH3-128 hash describe the uncompressed text.
CREATE TABLE docs (
	rowid	INTEGER PRIMARY KEY,
	id	TEXT NOT NULL UNIQUE,	-- stable: given, or derived from url/text
	url	TEXT,
	source	TEXT NOT NULL,
	lang	TEXT,
	created	TEXT,			-- ISO 8601 as given, NULL when unknown
	added	TEXT NOT NULL,		-- ISO 8601 UTC, when it entered the store
	nbytes	INTEGER NOT NULL,
	nchars	INTEGER NOT NULL,
	hash	BLOB NOT NULL,		-- XXH3-128 of the text, 16 bytes
	text	BLOB NOT NULL,		-- zstd frame of the UTF-8 text
	meta	TEXT			-- JSON object, or NULL
);
CREATE INDEX docs_hash ON docs(hash);
CREATE INDEX docs_source ON docs(source);

-- A filter stage's decision on a document.  A stage runs over documents that
-- have no row for (stage, its current version), so reruns do only new work.
CREATE TABLE verdicts (
	doc	INTEGER NOT NULL REFERENCES docs(rowid) ON DELETE CASCADE,
	stage	TEXT NOT NULL,
	version	TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision IN ('keep', 'drop', 'flag')),
	reason	TEXT,
	score	REAL,
	at	TEXT NOT NULL,
	PRIMARY KEY (doc, stage)
) WITHOUT ROWID;
CREATE INDEX verdicts_stage ON verdicts(stage, decision);

-- Input files seen by import: what was read and how it ended.
CREATE TABLE imports (
	rowid	INTEGER PRIMARY KEY,
	path	TEXT NOT NULL,
	size	INTEGER NOT NULL,
	mtime	INTEGER NOT NULL,
	started	TEXT NOT NULL,
	finished TEXT,			-- NULL while running or if killed
	status	TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
	lines	INTEGER NOT NULL DEFAULT 0,
	added	INTEGER NOT NULL DEFAULT 0,
	existing INTEGER NOT NULL DEFAULT 0,
	bad	INTEGER NOT NULL DEFAULT 0,
	repaired INTEGER NOT NULL DEFAULT 0,
	error	TEXT
);
CREATE INDEX imports_path ON imports(path);

-- version 2
-- Filter stages.  The current text of a document after the rewriting
-- stages (normalize, lines, pii, redacting rules); a document without a
-- row here is seen as its original text.
CREATE TABLE texts (
	doc	INTEGER PRIMARY KEY REFERENCES docs(rowid) ON DELETE CASCADE,
	stage	TEXT NOT NULL,		-- the stage that wrote it last
	nbytes	INTEGER NOT NULL,
	nchars	INTEGER NOT NULL,
	hash	BLOB NOT NULL,		-- XXH3-128 of the text
	text	BLOB NOT NULL		-- zstd frame
);
-- Details of a verdict as a JSON object: {"dup_of": "id"}, counts, ...
ALTER TABLE verdicts ADD COLUMN detail TEXT;
-- exact dedup: the document kept for each text hash
CREATE TABLE exact_seen (
	hash	BLOB PRIMARY KEY,
	doc	INTEGER NOT NULL
) WITHOUT ROWID;
-- near dedup: signatures and LSH band buckets of the documents kept, and
-- each document's cluster (the rowid of its cluster's representative)
CREATE TABLE minhash_docs (
	doc	INTEGER PRIMARY KEY,
	cluster	INTEGER NOT NULL,
	sig	BLOB			-- NULL for documents that are not kept
);
CREATE INDEX minhash_docs_cluster ON minhash_docs(cluster);
CREATE TABLE minhash_bands (
	band	INTEGER NOT NULL,
	hash	INTEGER NOT NULL,
	doc	INTEGER NOT NULL,
	PRIMARY KEY (band, hash, doc)
) WITHOUT ROWID;
-- line dedup: in how many documents each line hash was seen
CREATE TABLE line_counts (
	hash	INTEGER PRIMARY KEY,
	docs	INTEGER NOT NULL
);

-- version 3
-- sluice run: one row per run of a pipeline file; summary is the JSON
-- that --summary json prints (per step: in, kept, dropped, flagged, seconds)
CREATE TABLE runs (
	rowid	INTEGER PRIMARY KEY,
	pipeline TEXT NOT NULL,
	pid	INTEGER NOT NULL,
	started	TEXT NOT NULL,
	finished TEXT,
	status	TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed',
			'interrupted')),
	summary	TEXT,
	error	TEXT
);
-- the content hash of each imported file, so a run skips files it has
-- already imported whole (same path, size and hash)
ALTER TABLE imports ADD COLUMN hash BLOB;

-- version 4
-- The crawler.  A crawl run is one `sluice crawl` process; its options
-- (seeds included) are kept as JSON so `sluice crawl --resume` can go on.
-- A run left 'running' by a dead process is marked 'killed' by the next.
CREATE TABLE crawl_runs (
	rowid	INTEGER PRIMARY KEY,
	started	TEXT NOT NULL,
	finished TEXT,
	status	TEXT NOT NULL CHECK (status IN ('running', 'done', 'stopped',
					      'failed', 'killed')),
	pid	INTEGER NOT NULL,
	opts	TEXT NOT NULL,		-- JSON: seeds and options
	fetched	INTEGER NOT NULL DEFAULT 0,
	added	INTEGER NOT NULL DEFAULT 0,
	error	TEXT
);

-- Every normalized URL the crawler has seen, once.  'fetching' rows belong
-- to the run that picked them; when that run died they go back to
-- 'queued'.  Times are Unix seconds (REAL) so they compare cheaply.
CREATE TABLE frontier (
	rowid	INTEGER PRIMARY KEY,
	url	TEXT NOT NULL UNIQUE,	-- normalized (crawl/url.h)
	origin	TEXT NOT NULL,		-- "https://host:443": the politeness key
	depth	INTEGER NOT NULL,	-- links from a seed (0)
	hops	INTEGER NOT NULL DEFAULT 0,	-- redirects that led here
	priority INTEGER NOT NULL DEFAULT 0,	-- higher first
	state	TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued',
			'fetching', 'done', 'failed', 'skipped')),
	tries	INTEGER NOT NULL DEFAULT 0,
	next_try REAL NOT NULL DEFAULT 0,	-- not before this time
	run	INTEGER,		-- the run that last picked it
	discovered_from INTEGER,	-- frontier rowid of the linking page
	added	TEXT NOT NULL,
	fetched	REAL,			-- last completed fetch
	status	INTEGER,		-- its HTTP status
	reason	TEXT,			-- why failed or skipped
	etag	TEXT,			-- validators for conditional GET
	last_modified TEXT
);
CREATE INDEX frontier_ready ON frontier(state, origin, priority DESC,
					next_try);

-- One row per origin: the robots.txt cache (24 h) and politeness.
CREATE TABLE hosts (
	origin	TEXT PRIMARY KEY,
	robots	TEXT,			-- body of robots.txt, NULL when none
	robots_status INTEGER,		-- HTTP status, <= 0 network error
	robots_fetched REAL,		-- Unix seconds
	crawl_delay REAL,		-- seconds, from robots.txt, or NULL
	next_allowed REAL NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- One row per fetch attempt and its outcome, robots.txt and sitemaps
-- included: `sluice stats` reports from here.
CREATE TABLE fetches (
	rowid	INTEGER PRIMARY KEY,
	run	INTEGER,
	url	TEXT NOT NULL,
	kind	TEXT NOT NULL,		-- page, robots, sitemap
	status	INTEGER NOT NULL,	-- HTTP status, 0 when none
	outcome	TEXT NOT NULL,		-- ok, redirect, notmodified, http,
					-- toobig, refused, timeout, neterror,
					-- type
	bytes	INTEGER NOT NULL DEFAULT 0,	-- decompressed body bytes
	content_type TEXT,
	seconds	REAL NOT NULL DEFAULT 0,
	error	TEXT,
	at	TEXT NOT NULL,
	etag	TEXT,
	last_modified TEXT
);
CREATE INDEX fetches_url ON fetches(url);

-- version 5
-- Labelling (label/task.h, label/queue.h).  A task is a set of labels and
-- how they are picked; labels is a JSON array of names, in key order.
CREATE TABLE tasks (
	rowid	INTEGER PRIMARY KEY,
	name	TEXT NOT NULL UNIQUE,
	kind	TEXT NOT NULL CHECK (kind IN ('single', 'multi', 'binary')),
	labels	TEXT NOT NULL,			-- JSON array of label names
	overlap	INTEGER NOT NULL DEFAULT 1 CHECK (overlap >= 1),
	guidelines TEXT,			-- the guidelines file's text
	created	TEXT NOT NULL
);

-- One annotator's decision on one document, committed when it was made.
-- labels: JSON array in the task's order (binary: ["L"] on accept, []).
CREATE TABLE annotations (
	rowid	INTEGER PRIMARY KEY,		-- order of the decisions (undo)
	task	INTEGER NOT NULL REFERENCES tasks(rowid) ON DELETE CASCADE,
	doc	INTEGER NOT NULL,		-- docs.rowid
	annotator TEXT NOT NULL,
	answer	TEXT NOT NULL CHECK (answer IN ('accept', 'reject', 'ignore')),
	labels	TEXT NOT NULL,
	note	TEXT,
	flagged	INTEGER NOT NULL DEFAULT 0,	-- 1: asks for review
	seconds	REAL,				-- time spent on it
	at	TEXT NOT NULL,			-- ISO 8601 UTC
	session	TEXT NOT NULL,			-- the queue session (or 'import')
	UNIQUE (task, doc, annotator)
);
CREATE INDEX annotations_session ON annotations(session);
CREATE INDEX annotations_annotator ON annotations(task, annotator);

-- A reviewer's decision on a document whose annotations disagree; the
-- latest one is the document's final label (source 'review').
CREATE TABLE reviews (
	rowid	INTEGER PRIMARY KEY,
	task	INTEGER NOT NULL REFERENCES tasks(rowid) ON DELETE CASCADE,
	doc	INTEGER NOT NULL,
	reviewer TEXT NOT NULL,
	answer	TEXT NOT NULL CHECK (answer IN ('accept', 'reject', 'ignore')),
	labels	TEXT NOT NULL,
	note	TEXT,
	seconds	REAL,
	at	TEXT NOT NULL,
	session	TEXT NOT NULL
);
CREATE INDEX reviews_doc ON reviews(task, doc);
CREATE INDEX reviews_session ON reviews(session);

-- The document on an annotator's screen: nobody else is handed it until
-- expires (Unix seconds); an expired lease is free again.
CREATE TABLE leases (
	task	INTEGER NOT NULL,
	doc	INTEGER NOT NULL,
	annotator TEXT NOT NULL,
	session	TEXT NOT NULL,
	expires	REAL NOT NULL,
	PRIMARY KEY (task, doc)
) WITHOUT ROWID;
CREATE INDEX leases_session ON leases(session);

-- Per task and annotated document: how many annotations it has and whether
-- it waits for review (they disagree or one is flagged, no review yet).
-- Kept by the queue in the same transaction as each decision, so picking
-- the next document never counts annotations.
CREATE TABLE label_docs (
	task	INTEGER NOT NULL,
	doc	INTEGER NOT NULL,
	n	INTEGER NOT NULL,
	review	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (task, doc)
) WITHOUT ROWID;
CREATE INDEX label_docs_n ON label_docs(task, n, doc);
CREATE INDEX label_docs_review ON label_docs(task, doc) WHERE review = 1;

-- Each strategy's low-water mark in a task (strategy "sequential", or
-- "sequential+dropped" when dropped documents are included; seed 0 but for
-- random): every document before it is complete, so a new session starts
-- there instead of walking past them.  pos: a rowid (random: a position
-- in the permutation); dist: uncertain's distance at pos.
CREATE TABLE queue_cursors (
	task	INTEGER NOT NULL,
	strategy TEXT NOT NULL,
	seed	INTEGER NOT NULL,
	pos	INTEGER NOT NULL,
	dist	REAL NOT NULL,
	PRIMARY KEY (task, strategy, seed)
) WITHOUT ROWID;

-- The label of each document that has one: what `sluice train --task` and
-- `sluice export --require-label` read.  source: 'agree' (K annotations
-- agree), 'single' (K = 1), 'review', 'import'.
CREATE TABLE final_labels (
	task	INTEGER NOT NULL,
	doc	INTEGER NOT NULL,
	labels	TEXT NOT NULL,			-- JSON array of label names
	answer	TEXT NOT NULL,
	source	TEXT NOT NULL CHECK (source IN ('agree', 'single', 'review',
						 'import')),
	at	TEXT NOT NULL,
	PRIMARY KEY (task, doc)
);

-- The queue's orders without scans: flagged documents by rowid, and the
-- classify stage's scores by distance to the threshold (active learning).
-- json_valid guards the expression: a malformed detail must not make the
-- classify stage's insert fail.  A NULL score gives a NULL distance, which
-- the queue's range (distance >= x) leaves out; stage is in every entry
-- (the primary key), so counting the classify rows reads no table row.
CREATE INDEX verdicts_decision ON verdicts(decision, doc);
CREATE INDEX verdicts_uncertain ON verdicts(
	abs(score - coalesce(CASE WHEN json_valid(detail)
			     THEN json_extract(detail, '$.threshold') END, 0.5)),
	doc) WHERE stage = 'classify';

-- version 6
-- Near dedup's LSH band index is held in memory while a run decides
-- (filter/neardup.c): the store keeps its entries in the order they were
-- added (seq), so a run loads them with one scan, catches up with what
-- other processes appended by seq, and adds a representative's bands at
-- the end of the B-tree.  Keyed by (band, hash) as in version 2, every
-- batch rewrote pages all over a table larger than the page cache.
CREATE TABLE minhash_bands_v6 (
	seq	INTEGER PRIMARY KEY,
	band	INTEGER NOT NULL,
	hash	INTEGER NOT NULL,
	doc	INTEGER NOT NULL
);
INSERT INTO minhash_bands_v6(band, hash, doc)
	SELECT band, hash, doc FROM minhash_bands ORDER BY doc, band;
DROP TABLE minhash_bands;
ALTER TABLE minhash_bands_v6 RENAME TO minhash_bands;
-- Line dedup's counts not yet folded into line_counts: per document, the
-- unit hashes whose count it raised (little-endian uint64s).  Appending
-- here writes a page or two per batch; line_counts, keyed by random
-- hashes, takes them in one sorted pass once the log is long
-- (filter/lines.c).  A line's count is its line_counts row plus its
-- entries here.
CREATE TABLE line_log (
	seq	INTEGER PRIMARY KEY,
	hashes	BLOB NOT NULL
);

-- version 7
-- Exact dedup's hashes not yet folded into exact_seen, in the order they
-- were taken (a takeover adds the hash again with its new holder: the
-- last row wins).  exact_seen, keyed by random 16-byte hashes, takes them
-- in one sorted pass once the log is long (filter/exact.c).
CREATE TABLE exact_log (
	seq	INTEGER PRIMARY KEY,
	hash	BLOB NOT NULL,
	doc	INTEGER NOT NULL
);

-- version 8
-- The CHECKs of the two tables written per document, frontier.state and
-- verdicts.decision, as chains of = instead of IN lists: SQLite evaluates
-- an IN list of constants by building a temporary b-tree at each run of a
-- statement (the crawler writes a state three times a page, the filter a
-- verdict per document and stage).  A CHECK cannot be
-- altered: the tables are rebuilt, rows (and rowids) as they were.
CREATE TABLE frontier_v8 (
	rowid	INTEGER PRIMARY KEY,
	url	TEXT NOT NULL UNIQUE,	-- normalized (crawl/url.h)
	origin	TEXT NOT NULL,		-- "https://host:443": the politeness key
	depth	INTEGER NOT NULL,	-- links from a seed (0)
	hops	INTEGER NOT NULL DEFAULT 0,	-- redirects that led here
	priority INTEGER NOT NULL DEFAULT 0,	-- higher first
	state	TEXT NOT NULL DEFAULT 'queued' CHECK (state = 'queued' OR
			state = 'fetching' OR state = 'done' OR
			state = 'failed' OR state = 'skipped'),
	tries	INTEGER NOT NULL DEFAULT 0,
	next_try REAL NOT NULL DEFAULT 0,	-- not before this time
	run	INTEGER,		-- the run that last picked it
	discovered_from INTEGER,	-- frontier rowid of the linking page
	added	TEXT NOT NULL,
	fetched	REAL,			-- last completed fetch
	status	INTEGER,		-- its HTTP status
	reason	TEXT,			-- why failed or skipped
	etag	TEXT,			-- validators for conditional GET
	last_modified TEXT
);
INSERT INTO frontier_v8(rowid, url, origin, depth, hops, priority, state,
		tries, next_try, run, discovered_from, added, fetched, status,
		reason, etag, last_modified)
	SELECT rowid, url, origin, depth, hops, priority, state, tries,
		next_try, run, discovered_from, added, fetched, status,
		reason, etag, last_modified FROM frontier;
DROP TABLE frontier;
ALTER TABLE frontier_v8 RENAME TO frontier;
CREATE INDEX frontier_ready ON frontier(state, origin, priority DESC,
					next_try);
CREATE TABLE verdicts_v8 (
	doc	INTEGER NOT NULL REFERENCES docs(rowid) ON DELETE CASCADE,
	stage	TEXT NOT NULL,
	version	TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision = 'keep' OR decision = 'drop' OR
			decision = 'flag'),
	reason	TEXT,
	score	REAL,
	at	TEXT NOT NULL,
	detail	TEXT,		-- a JSON object: {"dup_of": "id"}, counts, ...
	PRIMARY KEY (doc, stage)
) WITHOUT ROWID;
INSERT INTO verdicts_v8(doc, stage, version, decision, reason, score, at,
		detail)
	SELECT doc, stage, version, decision, reason, score, at, detail
	FROM verdicts;
DROP TABLE verdicts;
ALTER TABLE verdicts_v8 RENAME TO verdicts;
CREATE INDEX verdicts_stage ON verdicts(stage, decision);
CREATE INDEX verdicts_decision ON verdicts(decision, doc);
CREATE INDEX verdicts_uncertain ON verdicts(
	abs(score - coalesce(CASE WHEN json_valid(detail)
			     THEN json_extract(detail, '$.threshold') END, 0.5)),
	doc) WHERE stage = 'classify';
