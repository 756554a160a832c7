#!/bin/sh
# End-to-end: bad input through `sluice filter`: documents with no text
# left, one document of a single 50 MB line (no newline) through
# normalize/exact/minhash/lines in bounded time and memory, and pipeline
# files that are wrong (exit 2, naming file, line, section and key).
. tests/lib.sh

ALL="$T/all.ini"
printf '[filter.normalize]\n[filter.exact]\n[filter.minhash]\n[filter.lines]\n' > "$ALL"

# -- empty documents: import refuses a text of "", counts it with
# --skip-bad; texts of only white space or invisible characters go in
# and come out dropped by normalize ("empty"), and every stage alone
# copes with them
cat > "$T/empty.jsonl" <<'JSONL'
{"id":"e0","text":""}
{"id":"e1","text":"   \n\t \r\n "}
{"id":"e2","text":"\u200b\u200d\ufeff"}
{"id":"e3","text":"\n\n\n"}
{"id":"ok","text":"one ordinary document with a few words in it"}
JSONL
expect_rc 1 "$SL" import "$T/empty.jsonl"
expect_err "empty.jsonl:1: empty text"
expect_rc 0 "$SL" import --skip-bad "$T/empty.jsonl"
expect_err "4 documents added"
expect_rc 0 "$SL" filter --pipeline "$ALL"
expect_err "normalize           4          1          3"
n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts WHERE stage = 'normalize' AND reason = 'empty'")
[ "$n" = 3 ] || fail "normalize dropped $n empty documents, want 3"
ok
for s in exact minhash lines; do
	printf '[filter.%s]\n' "$s" > "$T/one.ini"
	expect_rc 0 "$SL" filter --pipeline "$T/one.ini" --redo "$s"
	n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts WHERE stage = '$s'")
	[ "$n" = 4 ] || fail "stage $s alone: $n verdicts for 4 documents"
	ok
done
# minhash on text without a token: kept, said so; lines: nothing to cut
n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts WHERE stage = 'minhash' AND reason = 'no_shingles'")
[ "$n" = 3 ] || fail "minhash: $n no_shingles verdicts, want 3"
ok

# -- one document of a single 50 MB line, no newline: 7 M words
rm -f "$SLUICE_DB"*
awk 'BEGIN { printf "{\"id\":\"big\",\"text\":\""
	for (i = 0; i < 7000000; i++) printf "w%d ", (i * 7919) % 1000003
	printf "end\"}\n" }' > "$T/big.jsonl"
bytes=$(stat -c %s "$T/big.jsonl")
[ "$bytes" -gt 50000000 ] || fail "big document is only $bytes bytes"
expect_rc 0 "$SL" import "$T/big.jsonl"
start=$(date +%s)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "%M" -o "$T/rss" "$SL" filter --pipeline "$ALL" \
		>"$T/out" 2>"$T/err" || { cat "$T/err"; fail "filter on the 50 MB line failed"; }
	rss=$(cat "$T/rss")
	# text, rewrite, shingles and scratch: a few copies of 50 MB, not more
	[ "$rss" -lt 1500000 ] || fail "filter on a 50 MB line used $rss KB"
else
	"$SL" filter --pipeline "$ALL" >"$T/out" 2>"$T/err" || fail "filter on the 50 MB line failed"
fi
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 300 ] || fail "filter on a 50 MB line took $secs s"
echo "50 MB line, 4 stages: ${secs} s wall, max RSS ${rss:-?} KB"
ok
n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts WHERE decision = 'keep'")
[ "$n" = 4 ] || { cat "$T/err"; fail "the 50 MB line got $n keep verdicts of 4 stages"; }
ok
# the text survives normalize whole (one trailing space trimmed)
n=$(sqlite3 "$SLUICE_DB" "SELECT coalesce((SELECT t.nbytes FROM texts t), (SELECT nbytes FROM docs))")
[ "$n" -gt 49000000 ] || fail "the 50 MB line came out $n bytes"
ok

# -- bad pipeline files: exit 2, file:line, section, key
rm -f "$SLUICE_DB"*
expect_rc 0 "$SL" import "$T/empty.jsonl" --skip-bad
printf '[filter.normalize]\n\n[filter.nosuch]\nx = 1\n' > "$T/bad1.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad1.ini"
expect_err "bad1.ini:3: [filter.nosuch]: no stage 'nosuch'"
printf '[filter.minhash]\nbands = 14\nthresold = 0.7\n' > "$T/bad2.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad2.ini"
expect_err "bad2.ini:3: [filter.minhash]: unknown option 'thresold'"
printf '[filter.minhash]\nthreshold = 2\n' > "$T/bad3.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad3.ini"
expect_err "bad3.ini:2: [filter.minhash] threshold: 2 is out of range"
printf '[filter.lines]\nmin_docs = many\n' > "$T/bad4.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad4.ini"
expect_err "bad4.ini:2: [filter.lines] min_docs:"
printf '[filter.lines]\nunit = word\n' > "$T/bad5.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad5.ini"
expect_err "bad5.ini: [filter.lines] unit: 'word'"
printf '[filter.exact]\n[filter.exact]\n' > "$T/bad6.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad6.ini"
expect_err "bad6.ini:2: [filter.exact]: stage given twice"
printf '[filter.exact\n' > "$T/bad7.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad7.ini"
expect_err "bad7.ini:1: cannot parse this line"
# nothing ran
n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts")
[ "$n" = 0 ] || fail "a bad pipeline file left $n verdicts"
ok
done_tests
