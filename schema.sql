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
