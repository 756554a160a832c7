#!/bin/sh
# End-to-end: import and export through the CLI: round trip, re-import,
# bad input, exit codes, kill -9 during an import, unwritable outputs.
. tests/lib.sh

# --- round trip: text, ids and metadata come back byte for byte ----------
python3 - "$T/in.jsonl" <<'PY'
import json, sys, random
random.seed(7)
docs = []
for i in range(500):
    zh = "".join(chr(0x4e00 + random.randrange(2000)) for _ in range(random.randrange(1, 80)))
    text = f"doc {i}: caf\u00e9 \"quoted\" \\ back\nslash\ttab {zh} \U0001F600 \u2028 end"
    docs.append({"id": f"id-{i}", "text": text, "source": "s%d" % (i % 3),
                 "metadata": {"n": i, "f": 0.1 * i, "nested": {"zh": zh[:5]}, "url": f"https://ex.com/{i}"}})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for d in docs:
        f.write(json.dumps(d, ensure_ascii=(d["metadata"]["n"] % 2 == 0)) + "\n")
PY
expect_rc 0 "$SL" import "$T/in.jsonl"
expect_err "500 documents added"
expect_rc 0 "$SL" import "$T/in.jsonl"
expect_err "0 documents added, 500 already stored"
expect_rc 0 "$SL" export "$T/exp"
expect_err "exported 500 documents"
python3 - "$T/in.jsonl" "$T/exp/documents/0000.jsonl.zst" <<'PY' || fail "round trip differs"
import json, subprocess, sys
src = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
out = subprocess.run(["zstd", "-dc", sys.argv[2]], capture_output=True, check=True).stdout.decode()
got = [json.loads(l) for l in out.split("\n") if l]
assert len(got) == len(src), (len(got), len(src))
for s, g in zip(src, got):
    assert g["id"] == s["id"] and g["text"] == s["text"], s["id"]
    assert g["metadata"] == s["metadata"], (s["metadata"], g["metadata"])
    assert g["source"] == s["source"]
    assert json.dumps(g["metadata"]) == json.dumps(s["metadata"])
print("round trip ok:", len(got))
PY
ok
# exporting twice gives byte-identical files
cp "$T/exp/documents/0000.jsonl.zst" "$T/first.zst"
expect_rc 0 "$SL" export "$T/exp"
cmp -s "$T/first.zst" "$T/exp/documents/0000.jsonl.zst" || fail "export not deterministic"
ok

# --- stats and show ------------------------------------------------------
expect_rc 0 "$SL" stats
expect_out "documents  500"
expect_rc 0 "$SL" stats --json
python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['documents'][0]['docs']==500" || fail "stats --json"
expect_rc 0 "$SL" show id-7
expect_out "https://ex.com/7"
expect_rc 1 "$SL" show no-such-id
expect_err "no document 'no-such-id'"

# --- bad input -----------------------------------------------------------
printf '{"text":"a"}\n{"text":"b"}\n{"text": x}\n{"text":"d"}\n' > "$T/bad.jsonl"
expect_rc 1 "$SL" --db "$T/bad.db" import "$T/bad.jsonl"
expect_err "bad.jsonl:3:10: invalid JSON: invalid token"
expect_err "run the same command again"
expect_rc 0 "$SL" --db "$T/bad.db" import --skip-bad "$T/bad.jsonl"
expect_err "1 documents added, 2 already stored, 1 bad lines skipped"
printf '{"text":"ok \377 bytes"}\n' > "$T/utf8.jsonl"
expect_rc 0 "$SL" --db "$T/bad.db" import "$T/utf8.jsonl"
expect_err "1 repaired (1 invalid UTF-8 sequences replaced)"
printf '{"text":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' x)" > "$T/long.jsonl"
expect_rc 1 "$SL" --db "$T/bad.db" import --max-line 1k "$T/long.jsonl"
expect_err "long.jsonl:1: line longer than the cap of 1024 bytes"
printf '{"text":"one"}\n' | gzip > "$T/t.jsonl.gz"
head -c 20 "$T/t.jsonl.gz" > "$T/trunc.jsonl.gz"
expect_rc 1 "$SL" --db "$T/bad.db" import "$T/trunc.jsonl.gz"
expect_err "trunc.jsonl.gz': truncated gzip data"
expect_rc 1 "$SL" --db "$T/bad.db" import "$T/missing.jsonl"
expect_err "cannot open '$T/missing.jsonl': No such file or directory"

# --- stores that are not ours, usage errors --------------------------------
echo "not a database at all, not even close......" > "$T/junk.db"
expect_rc 1 "$SL" --db "$T/junk.db" stats
expect_err "is not a sluice store"
expect_rc 1 "$SL" --db "$T/nothere.db" stats
expect_err "cannot open store"
expect_rc 2 "$SL" import
expect_err "nothing to import"
expect_rc 2 "$SL" frobnicate
expect_err "'frobnicate' is not a sluice command"
expect_rc 2 "$SL" export --format csv "$T/x"
expect_rc 0 "$SL" --version
expect_out "sluice "
for c in $("$SL" help | awk '/^commands:/{f=1;next} /^$/{f=0} f{print $1}'); do
	expect_rc 0 "$SL" help "$c"
	expect_out "usage: sluice $c"
	grep -q "sluice $c" README.md || fail "README.md does not document '$c'"
done

# --- export failures leave no partial file ---------------------------------
expect_rc 1 "$SL" export /proc/sluice-no
expect_err "cannot create"
# a file size limit makes every write past 64 KiB fail (EFBIG)
python3 -c "
import json, random
random.seed(1)
with open('$T/big.jsonl','w') as f:
    for i in range(3000):
        f.write(json.dumps({'text': ''.join(random.choice('abcdefghij \n') for _ in range(300))})+'\n')
"
expect_rc 0 "$SL" --db "$T/big.db" import "$T/big.jsonl"
rm -rf "$T/full"
( ulimit -f 64; "$SL" --db "$T/big.db" export --level 1 "$T/full" ) >"$T/out" 2>"$T/err" && fail "export past the size limit succeeded"
expect_err "File too large"
[ -z "$(ls -A "$T/full/documents")" ] || { ls -la "$T/full/documents"; fail "partial file left"; }
ok
if [ "$(id -u)" = 0 ] && mkdir -p "$T/tmpfs" && mount -t tmpfs -o size=128k tmpfs "$T/tmpfs" 2>/dev/null; then
	"$SL" --db "$T/big.db" export --level 1 "$T/tmpfs/out" >"$T/out" 2>"$T/err" && { umount "$T/tmpfs"; fail "export to a full disk succeeded"; }
	grep -q "No space left on device" "$T/err" || { umount "$T/tmpfs"; cat "$T/err"; fail "no ENOSPC message"; }
	left=$(ls -A "$T/tmpfs/out/documents")
	umount "$T/tmpfs"
	[ -z "$left" ] || fail "partial file left on the full disk: $left"
	ok
fi

# --- kill -9 during a large import, then resume: every document once ------
python3 -c "
import json
with open('$T/many.jsonl','w') as f:
    for i in range(200000):
        f.write(json.dumps({'id': 'k%d' % i, 'text': 'kill test document number %d ' % i * 8})+'\n')
"
"$SL" --db "$T/kill.db" import "$T/many.jsonl" 2>/dev/null &
pid=$!
# wait until some batches are committed, then kill
i=0
while [ $i -lt 200 ]; do
	n=$(sqlite3 "$T/kill.db" "SELECT count(*) FROM docs" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.05; i=$((i + 1))
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n1=$(sqlite3 "$T/kill.db" "SELECT count(*) FROM docs")
[ "$n1" -lt 200000 ] || echo "note: import finished before the kill ($n1)"
expect_rc 0 "$SL" --db "$T/kill.db" import "$T/many.jsonl"
n2=$(sqlite3 "$T/kill.db" "SELECT count(*), count(DISTINCT id) FROM docs")
[ "$n2" = "200000|200000" ] || fail "after resume: $n2 (killed at $n1)"
ok
done_tests
