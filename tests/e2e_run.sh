#!/bin/sh
# End-to-end: sluice run / runs: steps, incremental runs, the lock (exit
# 75, --wait, a killed holder), SIGTERM then resume, config errors, output
# for cron (timestamps, no progress bars off a terminal).
. tests/lib.sh
TOP=$(pwd)
cd "$T"
cp "$TOP/tests/data/sample/debian-faq.jsonl" a.jsonl
cat > p.ini <<'INI'
[import]
paths = *.jsonl

[filter.normalize]
[filter.exact]
[filter.minhash]

[export]
dir = exp
INI

expect_rc 0 "$SL" run p.ini
expect_err "import: 1 files read"
expect_err "export jsonl.zst: "
grep -q "$(printf '\r')" err && fail "progress bar written to a non-terminal"
head -1 err | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z sluice: run 1' || fail "no timestamp: $(head -1 err)"
ok
# a second run with nothing new does no work and says so
expect_rc 0 "$SL" run --summary json p.ini
expect_err "nothing new"
python3 - out <<'PY' || fail "summary json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "ok", s
steps = {x["step"]: x for x in s["steps"]}
assert steps["import"]["files_seen"] == 1 and steps["import"]["added"] == 0
assert all(steps[k]["in"] == 0 for k in steps if k.startswith("filter."))
assert steps["export"]["skipped"] is True
PY
ok
# a new file: only it is imported, only new documents are filtered
head -5 a.jsonl | sed 's/"id": "/"id": "new-/' > b.jsonl
expect_rc 0 "$SL" run -q --summary json p.ini
python3 -c "
import json; s = json.load(open('out')); st = {x['step']: x for x in s['steps']}
assert st['import']['files'] == 1 and st['import']['added'] == 5, st
assert st['filter.normalize']['in'] == 5 and st['export']['skipped'] is False, st
" || fail "incremental run"
ok
[ ! -s err ] || fail "--quiet printed: $(cat err)"
ok

# the lock: a second run exits 75 naming the holder; --wait waits
flock s.db.lock sleep 3 &
holder=$!
sleep 0.3
expect_rc 75 "$SL" run p.ini
expect_err "is locked by another run"
expect_rc 0 "$SL" run -q --wait=10 p.ini
wait $holder
# a run killed with -9 leaves no lock behind; its row says interrupted
python3 -c "
import json
with open('c.jsonl','w') as f:
    for i in range(30000):
        f.write(json.dumps({'id': 'c%d' % i, 'text': 'document %d ' % i * 20}) + '\n')
"
"$SL" run p.ini 2>/dev/null &
pid=$!
i=0
until [ "$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM docs WHERE id LIKE 'c%'" 2>/dev/null || echo 0)" -gt 0 ] || [ $i -gt 200 ]; do sleep 0.05; i=$((i+1)); done
kill -9 $pid; wait $pid 2>/dev/null
expect_rc 0 "$SL" run -q p.ini
[ "$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM runs WHERE status = 'interrupted'")" = 1 ] || fail "killed run not marked interrupted"
ok
[ "$(sqlite3 "$SLUICE_DB" "SELECT count(*), count(DISTINCT id) FROM docs WHERE id LIKE 'c%'")" = "30000|30000" ] || fail "documents lost or doubled"
ok

# SIGTERM mid-run: exit 143, interrupted, and the resumed store equals an
# uninterrupted run's
mkdir fresh && cp p.ini c.jsonl fresh/ && cp a.jsonl fresh/
(cd fresh && SLUICE_DB=sluice.db "$SL" run -q p.ini) || fail "uninterrupted run"
mkdir term && cp p.ini c.jsonl a.jsonl term/
cd term
top_db=$SLUICE_DB
export SLUICE_DB=sluice.db
"$SL" run p.ini 2>/dev/null &
pid=$!
i=0
until [ "$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM docs" 2>/dev/null || echo 0)" -gt 0 ] || [ $i -gt 200 ]; do sleep 0.05; i=$((i+1)); done
kill -TERM $pid
wait $pid; rc=$?
[ $rc = 143 ] || fail "SIGTERM exit $rc, want 143"
ok
[ "$(sqlite3 "$SLUICE_DB" "SELECT status FROM runs ORDER BY rowid DESC LIMIT 1")" = interrupted ] || fail "not recorded as interrupted"
ok
"$SL" run -q p.ini || fail "resume"
cd ..
export SLUICE_DB=$top_db
# ordered rows (group_concat's order is the scan's, not the query's)
for q in "SELECT id, hex(hash) FROM docs ORDER BY id" \
         "SELECT d.id, v.stage, v.decision, coalesce(v.reason, '') FROM verdicts v JOIN docs d ON d.rowid = v.doc ORDER BY d.id, v.stage"; do
	a=$(sqlite3 fresh/sluice.db "$q" | md5sum) b=$(sqlite3 term/sluice.db "$q" | md5sum)
	[ "$a" = "$b" ] || fail "interrupted+resumed store differs from an uninterrupted run"
done
ok

# configuration errors: file, line, section, key; exit 2
printf '[import]\npaths = x\nglob = y\n' > bad.ini
expect_rc 2 "$SL" run bad.ini
expect_err "bad.ini:3: [import]: unknown key 'glob'"
printf '[imprt]\n' > bad2.ini
expect_rc 2 "$SL" run bad2.ini
expect_err "bad2.ini:1: [imprt]: unknown section"
printf '[filter.exact]\nprefr = a\n' > bad3.ini
expect_rc 2 "$SL" run bad3.ini
expect_err "bad3.ini:2: [filter.exact]: unknown option 'prefr'"
# every export format from one run
printf '[import]\npaths = a.jsonl\n[filter.exact]\n[export]\ndir = all\nformats = jsonl.zst, tokens, megatron\ntokenizer = r50k_base\n' > fmt.ini
expect_rc 0 "$SL" run --db fmt.db fmt.ini
for f in all/documents/0000.jsonl.zst all/tokens/manifest.json all/megatron/sluice_train.idx; do
	[ -s "$f" ] || fail "run did not write $f"
done
/usr/bin/python3 "$TOP/tests/read_shards.py" all/tokens > /dev/null || fail "run's token shards"
ok
# [crawl]: a run crawls the bundled site on loopback, a second run
# fetches nothing again; bad [crawl] keys are configuration errors
python3 -u -m http.server --bind 127.0.0.1 --directory "$TOP/tests/data/site" 0 > http.log 2>&1 &
srv=$!
port= i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
	port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' http.log | head -n 1)
done
[ -n "$port" ] || fail "http.server did not start"
printf '[crawl]\nseeds = http://127.0.0.1:%s/\nallow_net = 127.0.0.1/32\ndelay = 0\n[filter.exact]\n' "$port" > crawl.ini
expect_rc 0 "$SL" run --db crawl.db crawl.ini
expect_err "crawl: "
[ "$(sqlite3 crawl.db "SELECT count(*) FROM docs WHERE source = 'crawl'")" -gt 10 ] || fail "the run crawled nothing"
ok
n1=$(grep -c 'GET ' http.log)
expect_rc 0 "$SL" run --db crawl.db crawl.ini
expect_err "nothing new"
[ "$(grep -c 'GET ' http.log)" = "$n1" ] || fail "the second run fetched again"
ok
kill $srv; wait $srv 2>/dev/null
printf '[crawl]\nseeds = http://127.0.0.1:1/\nmax_pagez = 3\n' > badc.ini
expect_rc 2 "$SL" run badc.ini
expect_err "badc.ini:3: [crawl] max_pagez: unknown key"
printf '[crawl]\nseeds = http://127.0.0.1:1/\nmax_pages = lots\n' > badc2.ini
expect_rc 2 "$SL" run badc2.ini
expect_err "badc2.ini:3: [crawl] max_pages: bad --max-pages 'lots'"
expect_rc 0 "$SL" runs --last 3
expect_out "run "
done_tests
