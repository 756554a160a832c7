#!/bin/sh
# End-to-end: labelling tasks without the UI: task create/list/show,
# labels import (validated, all or nothing, file:line errors) and export
# (a round trip into a fresh store gives the same lines), agreement (text
# and JSON), export --require-label/--exclude-label in the jsonl.zst and
# tokens formats; quotes and SQL in names, labels and notes kept verbatim.
. tests/lib.sh
PY=/usr/bin/python3
for i in 1 2 3 4 5 6; do
	printf '{"id":"d%s","text":"document %s says \\"hello\\" and it'"'"'s fine","source":"s"}\n' "$i" "$i"
done > "$T/docs.jsonl"
expect_rc 0 "$SL" import "$T/docs.jsonl"
printf 'Label spam as spam.\nQuotes: "x" '"'"'y'"'"'\n' > "$T/guide.txt"

# tasks
expect_rc 0 "$SL" task create tox --labels "spam,ham,it's" --overlap 2 --guidelines "$T/guide.txt"
expect_rc 0 "$SL" task create bin --binary toxic
expect_rc 1 "$SL" task create tox --labels a
expect_err "task 'tox' already exists"
expect_rc 1 "$SL" task create ten --labels 1,2,3,4,5,6,7,8,9,10
expect_err "at most 9"
expect_rc 1 "$SL" task create dup --labels a,b,a
expect_err "given twice"
expect_rc 2 "$SL" task create x --labels a --binary b
expect_rc 2 "$SL" task create x --labels a --overlap 0
expect_rc 0 "$SL" task list
expect_out "bin                  binary overlap 1"
expect_out "labels spam,ham,it's"
[ "$(sqlite3 "$SLUICE_DB" "SELECT guidelines FROM tasks WHERE name = 'tox'")" = "$(cat "$T/guide.txt")" ] || fail "guidelines not stored verbatim"
ok

# labels import: alice and bob agree on d1 and d3, disagree on d2; d4 has
# one answer from someone whose name is SQL
cat > "$T/l.jsonl" <<'J'
{"id":"d1","label":"spam","annotator":"alice","timestamp":"2026-01-01T00:00:01Z","seconds":2.5,"final":null}
{"id":"d1","label":"spam","annotator":"bob","timestamp":"2026-01-01T00:00:02Z","final":null}
{"id":"d2","label":"spam","annotator":"alice","timestamp":"2026-01-01T00:00:03Z","final":null}
{"id":"d2","label":"ham","annotator":"bob","timestamp":"2026-01-01T00:00:04Z","final":null}
{"id":"d3","label":"it's","annotator":"alice","timestamp":"2026-01-01T00:00:05Z","final":null}
{"id":"d3","label":"it's","annotator":"bob","timestamp":"2026-01-01T00:00:06Z","final":null}
{"id":"d4","label":"ham","annotator":"o'brien\"; DROP TABLE docs; --","note":"it's \"odd\"'); DELETE FROM annotations; --","timestamp":1767225600}
J
# a bad line: nothing of the file is stored, the error names file:line
{ head -2 "$T/l.jsonl"; echo '{"id":"d2","label":"eggs"}'; } > "$T/bad.jsonl"
expect_rc 1 "$SL" labels import tox "$T/bad.jsonl"
expect_err "bad.jsonl' line 3: 'eggs' is not a label of task 'tox'"
echo '{"id":"nope","label":"spam"}' > "$T/bad2.jsonl"
expect_rc 1 "$SL" labels import tox "$T/bad2.jsonl"
expect_err "line 1: no document 'nope' in the store"
echo '{"id":"d1","label":"spam"' > "$T/bad3.jsonl"
expect_rc 1 "$SL" labels import tox "$T/bad3.jsonl"
expect_err "line 1: bad JSON"
[ "$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM annotations")" = 0 ] || fail "a failed import left rows"
ok
expect_rc 0 "$SL" labels import tox "$T/l.jsonl"
expect_err "imported 7 lines"
[ "$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM docs")" = 6 ] || fail "SQL in a name ran"
ok
[ "$(sqlite3 "$SLUICE_DB" "SELECT note FROM annotations WHERE doc = 4")" = "it's \"odd\"'); DELETE FROM annotations; --" ] || fail "note not verbatim"
ok
# final labels: d1 and d3 agree (overlap 2), d2 waits for review, d4 has
# one of its two answers; d4's line had no "final": null, so it is imported
[ "$(sqlite3 "$SLUICE_DB" "SELECT group_concat(d.id || ':' || f.source || ':' || f.labels, ' ') FROM final_labels f JOIN docs d ON d.rowid = f.doc ORDER BY d.id")" = 'd1:agree:["spam"] d3:agree:["it'"'"'s"] d4:import:["ham"]' ] || fail "final labels: $(sqlite3 "$SLUICE_DB" "SELECT * FROM final_labels")"
ok

expect_rc 0 "$SL" task show tox
expect_out "progress: 3 of 6 documents done (2 annotations each), 1 started, 3 final labels, 1 waiting for review"
expect_out "alice                     3 annotations"
expect_out "o'brien\"; DROP TABLE docs; --"

# agreement: 3 documents with two answers, 2 agree
expect_rc 0 "$SL" agreement tox
expect_out "percent agreement        0.6667"
expect_out "alice / bob: 3 documents, agree 0.6667"
expect_rc 0 "$SL" agreement --json tox
$PY - "$T/out" <<'PY' || fail "agreement --json"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["pairable"] == 3 and a["documents"] == 4, a
assert abs(a["percent"] - 2 / 3) < 1e-9, a
# Krippendorff by hand: coincidences spam-spam 2, spam-ham 1, ham-spam 1,
# it's-it's 2; n = 6; alpha = 1 - 5 * 2 / (3*1*2 + 3*2*2 ... )
o = a["coincidence"]
n = {c: sum(o[c].values()) for c in o}
tot = sum(n.values())
do = sum(o[c][k] for c in o for k in o if c != k)
de = sum(n[c] * n[k] for c in o for k in o if c != k)
assert abs(a["krippendorff_alpha"] - (1 - (tot - 1) * do / de)) < 1e-9, a
assert a["pairs"][0]["a"] == "alice" and a["pairs"][0]["b"] == "bob", a
PY
ok

# export, and a round trip through a fresh store
expect_rc 0 "$SL" labels export tox -o "$T/out1.jsonl"
[ "$(wc -l < "$T/out1.jsonl")" = 7 ] || fail "export lines: $(wc -l < "$T/out1.jsonl")"
ok
$PY - "$T/out1.jsonl" <<'PY' || fail "export lines"
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
d1 = ls[0]
assert d1["id"] == "d1" and d1["label"] == "spam" and d1["answer"] == "accept", d1
assert d1["annotator"] == "alice" and d1["timestamp"] == "2026-01-01T00:00:01Z", d1
assert d1["seconds"] == 2.5 and d1["text"] == "document 1 says \"hello\" and it's fine", d1
assert d1["final"] == {"labels": ["spam"], "answer": "accept", "source": "agree"}, d1
assert ls[2]["final"] is None and ls[3]["label"] == "ham", ls[3]
assert ls[6]["annotator"] == "o'brien\"; DROP TABLE docs; --", ls[6]
assert ls[6]["timestamp"] == "2026-01-01T00:00:00Z", ls[6]
PY
ok
expect_rc 0 "$SL" labels export --format jsonl tox
cmp -s "$T/out" "$T/out1.jsonl" || fail "stdout and -o differ"
ok
expect_rc 2 "$SL" labels export --format csv tox
export SLUICE_DB="$T/s2.db"
expect_rc 0 "$SL" import "$T/docs.jsonl"
expect_rc 0 "$SL" task create tox --labels "spam,ham,it's" --overlap 2
expect_rc 0 "$SL" labels import tox "$T/out1.jsonl"
expect_rc 0 "$SL" labels export tox -o "$T/out2.jsonl"
# the final labels came in as imports; everything else is the same
sed 's/"source":"agree"/"source":"import"/' "$T/out1.jsonl" > "$T/want.jsonl"
cmp "$T/want.jsonl" "$T/out2.jsonl" || fail "round trip differs"
ok
export SLUICE_DB="$T/s.db"

# binary task: accept / reject / ignore
cat > "$T/b.jsonl" <<'J'
{"id":"d1","answer":"accept","annotator":"alice"}
{"id":"d2","answer":"reject","annotator":"alice"}
{"id":"d5","answer":"ignore","annotator":"alice"}
{"id":"d6","answer":"accept","annotator":"alice"}
J
expect_rc 0 "$SL" labels import bin "$T/b.jsonl"
[ "$(sqlite3 "$SLUICE_DB" "SELECT group_concat(doc || labels || answer, ' ') FROM (SELECT * FROM final_labels WHERE task = 2 ORDER BY doc)")" = '1["toxic"]accept 2[]reject 6["toxic"]accept' ] || fail "binary final labels"
ok
echo '{"id":"d3","answer":"maybe"}' > "$T/bad4.jsonl"
expect_rc 1 "$SL" labels import bin "$T/bad4.jsonl"
expect_err "bad answer 'maybe'"

# export by final labels
ids() { zstd -dcq "$1"/documents/*.jsonl.zst | $PY -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in sys.stdin))'; }
expect_rc 0 "$SL" export --require-label tox=spam "$T/e1"
[ "$(ids "$T/e1")" = "d1" ] || fail "require spam: $(ids "$T/e1")"
ok
expect_rc 0 "$SL" export --exclude-label tox=spam --exclude-label "tox=it's" "$T/e2"
[ "$(ids "$T/e2")" = "d2 d4 d5 d6" ] || fail "exclude: $(ids "$T/e2")"
ok
expect_rc 0 "$SL" export --require-label bin=toxic --exclude-label tox=spam "$T/e3"
[ "$(ids "$T/e3")" = "d6" ] || fail "binary accept: $(ids "$T/e3")"
ok
expect_rc 0 "$SL" export --format tokens --require-label bin=toxic "$T/t1"
$PY - "$T/t1/manifest.json" <<'PY' || fail "tokens manifest"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["totals"]["documents"] == 2, m["totals"]
r = m["selection"]["label_rules"]
assert r == [{"task": 2, "name": "bin", "label": "toxic", "exclude": 0}], r
PY
ok
expect_rc 1 "$SL" export --require-label tox=eggs "$T/e4"
expect_err "task 'tox' has no label 'eggs'"
expect_rc 1 "$SL" export --require-label nosuch=spam "$T/e4"
expect_err "no task 'nosuch'"
expect_rc 1 "$SL" agreement nosuch
expect_err "no task 'nosuch'"
done_tests
