#!/bin/sh
# End-to-end: sluice report and report --html on the bundled sample: the
# terminal figures and the charts equal `sluice stats --json`; the page is
# well-formed, self-contained and escapes what comes from the store; crawl
# and classifier charts appear once their tables and verdicts exist.
. tests/lib.sh
chk=$(pwd)/tests/report_html_check.py

expect_rc 0 "$SL" import tests/data/sample/debian-faq.jsonl
# a hostile source name: it must come out as text, never as markup
printf '%s\n' '{"id": "evil-1", "text": "Hello there, a short text.", "source": "<script>alert(1)</script>&co", "lang": "en"}' > "$T/evil.jsonl"
expect_rc 0 "$SL" import "$T/evil.jsonl"
expect_rc 0 "$SL" filter

# no store, bad options
expect_rc 2 "$SL" report --nope
expect_rc 2 "$SL" report extra
expect_rc 1 "$SL" --db "$T/none.db" report

# the terminal summary: no crawl yet, no labeling tables yet: said so
expect_rc 0 "$SL" report
cp "$T/out" "$T/report.txt"
expect_out "crawl      0 runs, 0 fetches"
expect_out "labeling   skipped: no labeling task in this store"
expect_out "tokens -"
"$SL" stats --json > "$T/stats.json" || fail "stats --json"
python3 - "$T/report.txt" "$T/stats.json" <<'EOF' || fail "terminal report disagrees with stats"
import json, sys
out = open(sys.argv[1]).read()
s = json.load(open(sys.argv[2]))
th = lambda n: "{:,}".format(n)
d = s["documents"][0]
line = "corpus     %s documents, %s bytes, %s characters" % (
    th(d["docs"]), th(d["text_bytes"]), th(d["chars"]))
assert line in out, (line, out)
rows = [l.split() for l in out.splitlines()]
for st in s["stages"]:
    want = [st["stage"]] + [th(st[k]) for k in ("docs", "kept", "dropped", "flagged")]
    assert want in rows, (want, out)
shown = {}
for r in s["reasons"]:            # the report shows the top 5 of each stage
    shown[r["stage"]] = shown.get(r["stage"], 0) + 1
    if shown[r["stage"]] <= 5:
        assert [r["stage"], r["decision"], r["reason"], th(r["docs"])] in rows, r
langs = ", ".join("%s %s" % (l["lang"], th(l["docs"])) for l in s["languages"])
assert "languages  " + langs in out, langs
order = [r[0] for r in rows if r and r[0] in ("normalize", "exact", "minhash", "lines")]
assert order[:4] == ["normalize", "exact", "minhash", "lines"], order
EOF
ok

# a pipeline run, for the run history
cat > "$T/p.ini" <<'INI'
[import]
paths = more.jsonl

[filter.normalize]
[filter.exact]
INI
printf '%s\n' '{"id": "more-1", "text": "One more document for the run history.", "source": "more"}' > "$T/more.jsonl"
(cd "$T" && "$SL" run -q p.ini) || fail "sluice run"
ok
expect_rc 0 "$SL" report
expect_out "last runs"

# the HTML page
expect_rc 0 "$SL" report --html "$T/r.html"
[ ! -s "$T/out" ] || fail "--html printed on stdout"
expect_err "report written to"
"$SL" stats --json > "$T/stats.json" || fail "stats --json"
python3 "$chk" "$T/r.html" "$T/stats.json" "$SLUICE_DB" || fail "html check"
ok
ls -a "$T" | grep -q '\.tmp-' && fail "temp file left behind"
expect_rc 1 "$SL" report --html "$T/no/such/dir/r.html"

# crawl rows (made by hand: this test sends no traffic) and a
# classifier's verdicts with a recorded threshold
sqlite3 "$SLUICE_DB" <<'SQL' || fail "cannot add crawl rows"
INSERT INTO crawl_runs (rowid, started, status, pid, opts)
	VALUES (1, '2026-01-01T00:00:00Z', 'done', 1, '{}');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO frontier (rowid, url, origin, depth, state, added)
	SELECT i, 'http://h' || (i % 25) || '.test/' || i,
	'http://h' || (i % 25) || '.test', 0,
	CASE WHEN i % 7 THEN 'done' ELSE 'failed' END, 'now' FROM n;
INSERT INTO frontier (rowid, url, origin, depth, state, added)
	VALUES (100, 'http://x/', 'http://<b>x</b>.test', 0, 'done', 'now');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO fetches (rowid, url, kind, status, outcome, bytes, seconds, at)
	SELECT i, 'http://h.test/' || i, 'page',
	CASE WHEN i % 10 = 0 THEN 404 WHEN i % 13 = 0 THEN 0 ELSE 200 END,
	'ok', 1000 * i, i * 0.013, 'now' FROM n;
INSERT INTO verdicts (doc, stage, version, decision, score, at, detail)
	SELECT rowid, 'classify', '1', CASE WHEN (rowid % 10) / 10.0 >= 0.3
	THEN 'keep' ELSE 'drop' END, (rowid % 10) / 10.0, 'now',
	'{"threshold": 0.3}' FROM docs WHERE rowid <= 50;
SQL
expect_rc 0 "$SL" report
expect_out "crawl      1 runs, 60 fetches"
expect_rc 0 "$SL" report --html "$T/r2.html"
"$SL" stats --json > "$T/stats.json" || fail "stats --json"
python3 "$chk" "$T/r2.html" "$T/stats.json" "$SLUICE_DB" --crawl || fail "html check (crawl)"
ok
# the classifier stage is not in the registry: it comes after those that are
grep -q 'data-label="classify"' "$T/r2.html" || fail "classify not in the funnel"
ok

# labelling: tasks, annotations and final labels in both forms
expect_rc 0 "$SL" task create topic --labels sport,food
ids=$(sqlite3 "$SLUICE_DB" "SELECT id FROM docs ORDER BY rowid LIMIT 3")
set -- $ids
printf '{"id":"%s","label":"sport","annotator":"ann"}\n{"id":"%s","label":"food","annotator":"ann"}\n{"id":"%s","label":"sport","annotator":"ann"}\n' "$1" "$2" "$3" > "$T/labels.jsonl"
expect_rc 0 "$SL" labels import topic "$T/labels.jsonl"
expect_rc 0 "$SL" report
expect_out "labeling   1 tasks, 3 annotations, 3 final labels"
expect_out "  finals   topic: sport 2, topic: food 1"
expect_rc 0 "$SL" report --html "$T/r3.html"
grep -q 'id="chart-label-finals"' "$T/r3.html" || fail "no final-label chart"
grep -q 'id="chart-label-tasks"' "$T/r3.html" || fail "no per-task chart"
ok

expect_rc 0 "$SL" help report
expect_out "--html FILE"
done_tests
