#!/bin/sh
# End-to-end: sluice crawl against tests/crawl_server.py on 127.0.0.1:
# the SSRF guard, robots.txt (rules, 5xx, timeout, 404, cache), sitemaps,
# redirect chains and loops, a redirect to 127.0.0.2, slow-drip, a 1 GB
# stream and a gzip bomb cut at --max-bytes, retries (503, 429 +
# Retry-After, 500 given up), charsets (GBK/GB18030, Shift_JIS,
# windows-1252, declared or not), broken HTML, non-HTML, conditional GET,
# --max-pages, --include/--exclude, and kill -9 + --resume (nothing
# committed fetched twice, nothing lost).  Every check reads the store.
. tests/lib.sh

python3 tests/crawl_server.py "$T/hits" >"$T/ports" 2>"$T/server.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
i=0
until grep -q '^ready' "$T/ports" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { cat "$T/server.err" >&2; fail "test server did not start"; }
	sleep 0.1
done
port() { awk -v n="$1" '$1 == n { print $2 }' "$T/ports"; }
MAIN=$(port main) R500=$(port r500) RSLOW=$(port rslow) R404=$(port r404)
MANY=$(port many) DELAY=$(port delay) RREDIR=$(port rredir)
M=http://127.0.0.1:$MAIN
q() { sqlite3 "$SLUICE_DB" "$1"; }
# expect_q SQL WANT: the query's output is exactly WANT
expect_q() {
	got=$(q "$1")
	[ "$got" = "$2" ] || fail "query '$1': got '$got', want '$2'"
	ok
}
# hits PORT PATH: how many times the server saw that request
hits() { grep -c "^$1 $2\$" "$T/hits"; }
expect_hits() {
	got=$(hits "$1" "$2")
	[ "$got" = "$3" ] || fail "server saw '$2' $got times, want $3"
	ok
}
# doc_text URL: the stored text of the document with that URL
doc_text() {
	id=$(q "SELECT id FROM docs WHERE url = '$1'")
	[ -n "$id" ] || fail "no document for '$1'"
	"$SL" show "$id" > "$T/doc" || fail "show '$1'"
}
expect_doc() {
	doc_text "$1"
	grep -qF -- "$2" "$T/doc" || { cat "$T/doc" >&2; fail "document '$1' lacks '$2'"; }
	ok
}
NET="--allow-net 127.0.0.1/32"

# --- the SSRF guard refuses loopback unless --allow-net opens it ----------
export SLUICE_DB="$T/guard.db"
expect_rc 0 "$SL" crawl --delay 0 "$M/"
expect_err "0 documents added"
expect_q "SELECT outcome FROM fetches WHERE kind = 'robots'" "refused"
expect_q "SELECT count(*) FROM fetches WHERE kind = 'robots' AND error LIKE '%loopback 127.0.0.0/8%'" "1"
expect_q "SELECT reason FROM frontier" "robots.txt unavailable (refused)"
expect_hits "$MAIN" "/robots.txt" 0
expect_hits "$MAIN" "/" 0
# the refusal is not cached: the same store crawls once the range is allowed
expect_rc 0 "$SL" crawl --allow-net 127.0.0.1/32 --delay 0 --max-depth 0 "$M/"
expect_err "1 documents added"
expect_q "SELECT state FROM frontier WHERE url = '$M/'" "done"
expect_hits "$MAIN" "/robots.txt" 1

# --- the main site ----------------------------------------------------------
export SLUICE_DB="$T/main.db"
expect_rc 0 "$SL" crawl $NET --delay 0 --per-host 4 --timeout 2 \
	--max-tries 2 --max-bytes 1M --sitemaps "$M/"
expect_err "23 documents added"
expect_q "SELECT count(*) FROM docs WHERE source = 'crawl'" 23
expect_q "SELECT count(*) FROM frontier WHERE state IN ('queued', 'fetching')" 0
# robots.txt: fetched once, its Disallow obeyed, its sitemap index read
expect_hits "$MAIN" "/robots.txt" 2	# one more than the guard test above
expect_hits "$MAIN" "/private/secret.html" 0
expect_q "SELECT state, reason FROM frontier WHERE url = '$M/private/secret.html'" \
	"skipped|disallowed by robots.txt"
expect_q "SELECT count(*) FROM fetches WHERE kind = 'sitemap' AND status = 200" 2
expect_doc "$M/from-sitemap.html" "Listed."
# links: relative, cycles, fragments dropped, other schemes and credentials not queued
expect_doc "$M/c.html" "Charlie."
expect_q "SELECT lang FROM docs WHERE url = '$M/c.html'" "en-GB"
expect_hits "$MAIN" "/a.html" 1
expect_q "SELECT count(*) FROM frontier WHERE url LIKE '%#%' OR url LIKE 'mailto%' OR url LIKE '%user:pw%'" 0
# <meta name=robots content=nofollow>, rel=nofollow, <base href>
expect_hits "$MAIN" "/never.html" 0
expect_hits "$MAIN" "/never2.html" 0
expect_doc "$M/other/x.html" "Found through the base."
# redirects: a chain ends in a document; a loop ends; more than 10 hops fail
expect_doc "$M/final.html" "The end of a chain."
expect_q "SELECT reason FROM frontier WHERE url = '$M/redir/3'" "redirect to $M/final.html"
expect_q "SELECT reason FROM frontier WHERE url = '$M/loop/b'" "redirect to $M/loop/a (already known)"
expect_q "SELECT count(*) FROM docs WHERE url LIKE '%/loop/%'" 0
expect_q "SELECT reason FROM frontier WHERE url = '$M/chain/10'" "more than 10 redirects"
expect_hits "$MAIN" "/chain/11" 0
# out-of-scope redirect (127.0.0.2 under --scope host) is not followed
expect_q "SELECT reason FROM frontier WHERE url = '$M/to-127-0-0-2'" \
	"redirect to http://127.0.0.2:$MAIN/pwned: out of scope"
# slow drip: timed out, retried once, given up
expect_q "SELECT count(*) FROM fetches WHERE url = '$M/slow' AND outcome = 'timeout'" 2
expect_q "SELECT state FROM frontier WHERE url = '$M/slow'" "failed"
# Content-Encoding deflate is decoded (gzip too: the bomb below)
expect_doc "$M/deflate.html" "Sent with Content-Encoding deflate."
# the 1 GB stream and the gzip bomb stop at --max-bytes, decompressed
expect_q "SELECT outcome, bytes FROM fetches WHERE url = '$M/big'" "toobig|1048576"
expect_q "SELECT outcome, bytes FROM fetches WHERE url = '$M/bomb'" "toobig|1048576"
expect_q "SELECT reason FROM frontier WHERE url = '$M/bomb'" "body over the cap of 1048576 bytes"
# retries: 503 then 200; 429 with Retry-After then 200; 500 given up
expect_q "SELECT state, status, tries FROM frontier WHERE url = '$M/flaky'" "done|200|2"
expect_q "SELECT group_concat(status) FROM fetches WHERE url = '$M/retry-after'" "429,200"
expect_q "SELECT reason FROM frontier WHERE url = '$M/gone'" "HTTP 500 (gave up after 2 tries)"
expect_hits "$MAIN" "/gone" 2
expect_q "SELECT state, status FROM frontier WHERE url = '$M/notfound'" "failed|404"
# charsets, declared and not
expect_doc "$M/gbk.html" "中文网页的编码测试"
expect_doc "$M/gbk-nodecl.html" "我们希望爬虫能够识别这个页面的编码"
expect_doc "$M/sjis.html" "文字コードの検出と変換をテストします"
expect_doc "$M/sjis-nodecl.html" "クローラーはこのページの文字コード"
expect_doc "$M/cp1252.html" "Café crème brûlée, the naïve façade of the “old” hôtel, costs 5 €"
expect_doc "$M/cp1252-nodecl.html" "déjà vu for the señor"
expect_q "SELECT json_extract(meta, '$.charset') FROM docs WHERE url = '$M/gbk.html'" "GB18030"
expect_q "SELECT json_extract(meta, '$.title') FROM docs WHERE url = '$M/sjis.html'" "シフトJIS"
# broken HTML still gives text; text/plain kept as is; binary skipped
expect_doc "$M/broken.html" "Broken markup"
expect_doc "$M/plain.txt" "  kept as is."
expect_q "SELECT state, reason FROM frontier WHERE url = '$M/data.bin'" \
	"skipped|content type 'application/octet-stream' not accepted"
expect_q "SELECT json_extract(meta, '$.http_status') FROM docs WHERE url = '$M/'" 200
# stats shows the crawl
expect_rc 0 "$SL" stats
expect_out "crawl"
expect_out "refused"
expect_rc 0 "$SL" stats --json
python3 -c "import json; d=json.load(open('$T/out')); f={r['state']: r['urls'] for r in d['frontier']}; assert f['done'] >= 30, f" \
	|| fail "stats --json frontier"
ok
# a second crawl of the same seed fetches nothing
expect_rc 0 "$SL" crawl $NET --delay 0 "$M/"
expect_err "0 pages fetched"
# --recrawl: conditional GET, 304 changes nothing; robots.txt from the cache
added=$(q "SELECT added FROM docs WHERE url = '$M/etag.html'")
sleep 1.1
expect_rc 0 "$SL" crawl $NET --delay 0 --recrawl 1s --max-depth 0 "$M/etag.html"
expect_err "1 unchanged (304)"
expect_q "SELECT status FROM frontier WHERE url = '$M/etag.html'" 304
expect_q "SELECT added FROM docs WHERE url = '$M/etag.html'" "$added"
expect_q "SELECT count(*) FROM docs" 23
expect_hits "$MAIN" "/etag.html" 2
# --recrawl of a page that changed: the document's text is replaced
expect_doc "$M/changing" "This is version 1 of"
q "INSERT INTO verdicts (doc, stage, version, decision, at) VALUES ((SELECT rowid FROM docs WHERE url = '$M/changing'), 'rules', '1', 'keep', 'now')"
expect_q "SELECT count(*) FROM verdicts" 1
expect_rc 0 "$SL" crawl $NET --delay 0 --recrawl 1s --max-depth 0 "$M/changing"
expect_err "0 documents added, 1 updated"
expect_doc "$M/changing" "This is version 2 of"
expect_q "SELECT count(*) FROM verdicts" 0
expect_q "SELECT count(*) FROM docs" 23
expect_hits "$MAIN" "/robots.txt" 2

# --- a redirect to 127.0.0.2 under --allow-net 127.0.0.1/32 is refused ------
export SLUICE_DB="$T/ssrf.db"
expect_rc 0 "$SL" crawl $NET --scope any --delay 0 --max-depth 0 "$M/to-127-0-0-2"
expect_q "SELECT outcome FROM fetches WHERE url = 'http://127.0.0.2:$MAIN/robots.txt'" "refused"
expect_q "SELECT state FROM frontier WHERE url = 'http://127.0.0.2:$MAIN/pwned'" "skipped"
expect_q "SELECT count(*) FROM fetches WHERE url LIKE 'http://127.0.0.2%' AND outcome != 'refused'" 0

# --- robots.txt: 5xx and timeout disallow all, 404 allows all --------------
export SLUICE_DB="$T/robots.db"
expect_rc 0 "$SL" crawl $NET --delay 0 --timeout 2 --max-depth 0 \
	"http://127.0.0.1:$R500/" "http://127.0.0.1:$RSLOW/" "http://127.0.0.1:$R404/"
expect_q "SELECT reason FROM frontier WHERE url = 'http://127.0.0.1:$R500/'" \
	"robots.txt unavailable (HTTP 500)"
expect_q "SELECT reason FROM frontier WHERE url = 'http://127.0.0.1:$RSLOW/'" \
	"robots.txt unavailable (timeout)"
expect_q "SELECT state FROM frontier WHERE url = 'http://127.0.0.1:$R404/'" "done"
expect_hits "$R500" "/" 0
expect_hits "$RSLOW" "/" 0
expect_hits "$R404" "/" 1
expect_q "SELECT count(*) FROM docs" 1
# robots.txt behind two redirects is followed and obeyed
expect_rc 0 "$SL" crawl $NET --delay 0 "http://127.0.0.1:$RREDIR/"
expect_q "SELECT state, reason FROM frontier WHERE url = 'http://127.0.0.1:$RREDIR/private'" \
	"skipped|disallowed by robots.txt"
expect_q "SELECT state FROM frontier WHERE url = 'http://127.0.0.1:$RREDIR/public'" "done"
expect_hits "$RREDIR" "/r2.txt" 1
expect_hits "$RREDIR" "/private" 0

# --- robots.txt Crawl-delay raises --delay, up to --max-delay --------------
export SLUICE_DB="$T/delay.db"
t0=$(date +%s)
expect_rc 0 "$SL" crawl $NET --delay 0 --max-delay 1 "http://127.0.0.1:$DELAY/"
t1=$(date +%s)
expect_q "SELECT count(*) FROM docs" 3
expect_q "SELECT crawl_delay FROM hosts WHERE origin = 'http://127.0.0.1:$DELAY'" 60.0
[ $((t1 - t0)) -ge 2 ] || fail "3 pages with a 1 s delay took $((t1 - t0)) s"
[ $((t1 - t0)) -le 20 ] || fail "Crawl-delay 60 was not capped by --max-delay 1"
ok

# --- Ctrl-C stops cleanly: in-flight URLs back in the queue, run 'stopped' ----
export SLUICE_DB="$T/int.db"
"$SL" crawl $NET --delay 0.3 --max-depth 1000 "http://127.0.0.1:$MANY/many/7.html" 2>"$T/int.err" &
CR=$!
i=0
until [ "$(q 'SELECT count(*) FROM docs' 2>/dev/null || echo 0)" -ge 2 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "crawl made no progress"; sleep 0.05
done
kill -INT $CR
wait $CR || fail "crawl stopped by SIGINT exited $?"
ok
expect_q "SELECT status FROM crawl_runs" "stopped"
expect_q "SELECT count(*) FROM frontier WHERE state = 'fetching'" 0
grep -q "documents added" "$T/int.err" || fail "no summary after SIGINT"
ok

# --- --include/--exclude and --max-pages -------------------------------------
export SLUICE_DB="$T/filters.db"
expect_rc 0 "$SL" crawl $NET --delay 0 --max-depth 1 --exclude '/(slow|big|bomb|gone|flaky)' \
	--exclude 'nodecl' --include '\.html$|/$' "$M/"
expect_q "SELECT count(*) FROM frontier WHERE url LIKE '%nodecl%' OR url LIKE '%slow%' OR url LIKE '%.txt'" 0
expect_q "SELECT count(*) FROM docs WHERE url = '$M/gbk.html'" 1
export SLUICE_DB="$T/max.db"
expect_rc 0 "$SL" crawl $NET --delay 0 --per-host 4 --max-pages 10 --max-depth 1000 \
	"http://127.0.0.1:$MANY/many/0.html"
expect_q "SELECT count(*) FROM docs" 10

# --- kill -9 in the middle, then --resume ------------------------------------
export SLUICE_DB="$T/kill.db"
"$SL" -q crawl $NET --delay 0 --per-host 4 --concurrency 4 --max-depth 1000 \
	"http://127.0.0.1:$MANY/many/100.html" &
CR=$!
i=0
until [ "$(q 'SELECT count(*) FROM docs' 2>/dev/null || echo 0)" -ge 40 ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && fail "crawl made no progress"
	sleep 0.05
done
kill -9 $CR
wait $CR 2>/dev/null
before=$(q "SELECT count(*) FROM docs")
[ "$before" -lt 400 ] || fail "the crawl finished before it was killed"
q "SELECT url FROM frontier WHERE state = 'done'" | sed "s|^http://127.0.0.1:$MANY||" | sort > "$T/done1"
expect_q "SELECT status FROM crawl_runs" "running"
expect_rc 0 "$SL" crawl --resume
expect_q "SELECT group_concat(status) FROM crawl_runs" "killed,done"
expect_q "SELECT count(*) FROM docs" 400
expect_q "SELECT count(*) FROM frontier WHERE state != 'done'" 0
grep "^$MANY /many/" "$T/hits" | awk '{ print $2 }' | sort | uniq -c | awk '$1 > 1 { print $2 }' > "$T/twice"
twice=$(comm -12 "$T/done1" "$T/twice" | wc -l)
[ "$twice" = 0 ] || fail "$twice committed pages were fetched again"
ok
n=$(grep -c "^$MANY /many/" "$T/hits")
[ "$n" -lt 440 ] || fail "$n fetches for 400 pages"
ok

# --- usage errors -------------------------------------------------------------
export SLUICE_DB="$T/usage.db"
expect_rc 2 "$SL" crawl --scope planet "$M/"
expect_err "bad --scope 'planet'"
expect_rc 2 "$SL" crawl
expect_err "no URL given"
expect_rc 1 "$SL" crawl --resume
expect_err "no crawl to resume"
expect_rc 1 "$SL" crawl "ftp://example.com/"
expect_err "bad seed 'ftp://example.com/'"
expect_rc 1 "$SL" crawl --allow-net 10.1.2.3/8 "$M/"
expect_rc 1 "$SL" crawl --include '(' "$M/"
expect_err "bad regular expression '('"
done_tests
