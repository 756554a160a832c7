#!/bin/sh
# End-to-end: one store, many users at once for CONC_SECONDS (default 60):
# `sluice run` (import, filter, export) again and again, three annotators
# in `sluice label` driven through tmux, `sluice export` and `sluice stats`
# in loops.  Then: no command failed or printed a busy/locked error, every
# decision an annotator saw confirmed on screen is in the store, no
# document has more annotations than the task's overlap or two from one
# person, and the pipeline's verdicts and exported files equal those of the
# same run on a copy of the store with nobody else around.
. tests/lib.sh
# a decision waits for the writer lock behind the run's batches; on a
# loaded machine that can take seconds
: "${TM_TIMEOUT:=60}"
. tests/tmux.sh
command -v tmux >/dev/null || fail "tmux is needed (make deps)"
secs=${CONC_SECONDS:-60}
DB=$T/s.db
export SLUICE_DB="$DB"

# --- the store: documents to label now, more arriving through the run ---
# (sentences with stop words, Chinese lines with full stops: the filters
# keep them, so the annotators never run out)
python3 - "$T" <<'PY'
import json, random, sys
d = sys.argv[1]
r = random.Random(11)
W = ("river mountain history village music garden science market winter "
     "language station bridge library festival teacher harbour").split()
S = "the of and to in is was for on that with as by at from".split()
ZH = "中文网页的编码测试这是一个使用国标编码的页面用于测试字符集检测和转换是否正确"
def sentence():
    ws = [r.choice(W if k % 2 else S) for k in range(r.randrange(8, 16))]
    return " ".join(ws).capitalize() + "."
def doc(i, prefix):
    if i % 5 == 0:
        t = "\n".join("".join(r.choice(ZH) for _ in range(40)) + "。" for _ in range(8))
    else:
        t = "\n\n".join(" ".join(sentence() for _ in range(5)) for _ in range(4))
    return json.dumps({"id": "%s%d" % (prefix, i), "text": t}, ensure_ascii=False)
with open(d + "/first.jsonl", "w") as f:
    f.write("\n".join(doc(i, "a") for i in range(3000)) + "\n")
for k in range(3):
    with open(d + "/more%d.jsonl" % k, "w") as f:
        f.write("\n".join(doc(i, "m%d-" % k) for i in range(4000)) + "\n")
PY
expect_rc 0 "$SL" import "$T/first.jsonl"
expect_rc 0 "$SL" task create topic --labels alpha,beta,gamma --overlap 2
cp "$DB" "$T/alone.db"
cat > "$T/run.ini" <<EOF
[import]
paths = $T/more*.jsonl
[filter.normalize]
[filter.lang]
[filter.exact]
[filter.minhash]
[filter.quality]
[filter.pii]
[export]
dir = $T/corpus
formats = jsonl.zst, tokens
EOF

# --- everybody at once ----------------------------------------------------
end=$(($(date +%s) + secs))
# loop NAME CMD...: run CMD until the time is up; every failure is kept
loop() {
	name=$1; shift
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$((n + 1))
		"$@" >/dev/null 2>"$T/$name.err.$n" || echo "$name $n: exit $?" >> "$T/failures"
	done
	echo "$n" > "$T/$name.count"
}
loop run "$SL" -q run --wait "$T/run.ini" &
p1=$!
loop export "$SL" -q export --format tokens "$T/exp" &
p2=$!
loop stats "$SL" stats &
p3=$!

# annotators: press a label key while a document is on screen, wait until
# the screen confirms the decision (the session count moves on), again
# until the time is up
for a in ann1 ann2 ann3; do
	tm_start "$a" "$SL --db $DB label --annotator $a topic" 100 30
done
for a in ann1 ann2 ann3; do tm_wait "$a" "session 0"; done
session_of() { sed -n 's/.*done  session \([0-9]*\) .*/\1/p' "$1" | head -n 1; }
annotate() {
	a=$1 k=0
	while [ "$(date +%s)" -lt "$end" ]; do
		tm_screen "$a" > "$T/$a.screen"
		s=$(session_of "$T/$a.screen")
		if [ -z "$s" ] || grep -q "^  Nothing left" "$T/$a.screen"; then
			sleep 0.2; continue
		fi
		t0=$(date +%s%N)
		tm_keys "$a" $((k % 3 + 1))
		k=$((k + 1))
		want=$((s + 1))
		tm_poll "$a" '[ "$(session_of "$T/screen")" -ge '$want' ] 2>/dev/null' &&
			echo "$(( ($(date +%s%N) - t0) / 1000000 ))" >> "$T/$a.ms" ||
			{ cat "$T/screen" >&2; echo "$a: decision $want not confirmed" >> "$T/failures"; return; }
	done
}
annotate ann1 & q1=$!
annotate ann2 & q2=$!
annotate ann3 & q3=$!
wait $q1 $q2 $q3 $p1 $p2 $p3

# what each annotator's screen says it did, then quit
for a in ann1 ann2 ann3; do
	tm_screen "$a" > "$T/$a.screen"
	session_of "$T/$a.screen" > "$T/$a.session"
	tm_keys "$a" q
	[ "$(tm_exit "$a")" = 0 ] || fail "$a's label session failed"
done

# --- the checks -------------------------------------------------------------
[ -s "$T/failures" ] && { cat "$T/failures"; cat "$T"/*.err.* | sort | uniq -c | head; fail "commands failed"; }
if cat "$T"/*.err.* | grep -iE "busy|locked"; then fail "SQLITE_BUSY reached a user"; fi
ok
q() { sqlite3 "$DB" "$1"; }
total=0
for a in ann1 ann2 ann3; do
	want=$(cat "$T/$a.session")
	got=$(q "SELECT count(*) FROM annotations WHERE annotator = '$a'")
	[ "$got" = "$want" ] || fail "$a: screen says $want decisions, store has $got"
	[ "$want" -gt 0 ] || fail "$a made no decision"
	total=$((total + want))
done
ok
over=$(q "SELECT count(*) FROM (SELECT doc FROM annotations GROUP BY task, doc HAVING count(*) > 2)")
[ "$over" = 0 ] || fail "$over documents annotated beyond the overlap"
twice=$(q "SELECT count(*) FROM (SELECT doc FROM annotations GROUP BY task, doc, annotator HAVING count(*) > 1)")
[ "$twice" = 0 ] || fail "$twice documents annotated twice by one person"
ok
# the same pipeline alone, on the store as it was before
SLUICE_DB="$T/alone.db" "$SL" -q run "$T/run.ini" 2>"$T/alone.err" || { cat "$T/alone.err"; fail "run alone"; }
verdicts="SELECT d.id, v.stage, v.decision, coalesce(v.reason, '') FROM verdicts v JOIN docs d ON d.rowid = v.doc ORDER BY 1, 2"
sqlite3 "$DB" "$verdicts" > "$T/v.shared"
sqlite3 "$T/alone.db" "$verdicts" > "$T/v.alone"
cmp -s "$T/v.shared" "$T/v.alone" || { diff "$T/v.shared" "$T/v.alone" | head; fail "verdicts differ from a run alone"; }
mv "$T/corpus" "$T/corpus.shared"
SLUICE_DB="$T/alone.db" "$SL" -q export --format tokens "$T/out.alone" 2>/dev/null || fail "export alone"
"$SL" -q export --format tokens "$T/out.shared2" 2>/dev/null || fail "export shared"
(cd "$T/out.alone" && sha256sum * | sort) > "$T/sum.alone"
(cd "$T/out.shared2" && sha256sum * | sort) > "$T/sum.shared"
cmp -s "$T/sum.alone" "$T/sum.shared" || { diff "$T/sum.alone" "$T/sum.shared"; fail "export differs from a run alone"; }
ok
for a in ann1 ann2 ann3; do sort -n "$T/$a.ms" | awk -v a=$a '{v[NR]=$1} END {print a ": " NR " decisions, median " v[int(NR/2)+1] " ms, max " v[NR] " ms"}'; done
echo "e2e_concurrency: ${secs}s: $(cat "$T/run.count") runs, $(cat "$T/export.count") exports, $(cat "$T/stats.count") stats, $total decisions by 3 annotators"
done_tests
