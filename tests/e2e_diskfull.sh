#!/bin/sh
# End-to-end: a full disk.  The store and the export folder live on a
# small tmpfs (mounted here when we are root and may mount; otherwise the
# test says it was skipped).  Import, filter and export must fail with a
# clear message, exit 1, and leave a store that still opens, passes
# integrity_check and takes the rest once space is back; no half-written
# export file keeps a final name.
. tests/lib.sh
if [ "$(id -u)" != 0 ] || ! mkdir "$T/small" || \
   ! mount -t tmpfs -o size=3m tmpfs "$T/small" 2>/dev/null; then
	echo "e2e_diskfull.sh: skipped (needs root and mount)"
	exit 0
fi
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
export SLUICE_DB="$T/small/s.db"

# random text compresses badly, so 8 MB of it cannot fit in 3 MB
python3 - "$T/big.jsonl" <<'PY'
import json, random, sys
r = random.Random(5)
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        t = " ".join("".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randrange(2, 9)))
                     for _ in range(700))
        f.write(json.dumps({"id": "d%d" % i, "text": t}) + "\n")
PY
expect_rc 1 "$SL" import "$T/big.jsonl"
grep -qiE "disk is full|No space left" "$T/err" || { cat "$T/err"; fail "no clear disk-full error"; }
ok
n=$(sqlite3 "$SLUICE_DB" "PRAGMA integrity_check; SELECT count(*) FROM docs;" | tr '\n' ' ')
case $n in "ok "*) ;; *) fail "store after a full disk: $n" ;; esac
expect_rc 0 "$SL" stats
# space comes back (the store moves to a roomy disk): the import completes
cp "$T/small/s.db" "$T/s.db"
[ -e "$T/small/s.db-wal" ] && cp "$T/small/s.db-wal" "$T/s.db-wal"
export SLUICE_DB="$T/s.db"
expect_rc 0 "$SL" import "$T/big.jsonl"
expect_rc 0 "$SL" filter --stage exact
[ "$(sqlite3 "$SLUICE_DB" 'SELECT count(*) FROM docs')" = 2000 ] || fail "not all documents after the retry"
ok

# export onto the full disk: a clear error, no file with a final name that
# is not complete
rm -f "$T/small/"*
expect_rc 1 "$SL" export --format tokens "$T/small/out"
grep -qiE "No space left|disk is full" "$T/err" || { cat "$T/err"; fail "no clear error from export"; }
# shards finished before the disk filled may stay (complete: the header's
# token count matches the size); the manifest, written last, may not
[ -e "$T/small/out/manifest.json" ] && fail "a manifest for a failed export"
python3 - "$T/small/out" <<'PY' || fail "a torn shard kept its final name"
import os, struct, sys
d = sys.argv[1]
for n in os.listdir(d):
    if not n.endswith(".bin"):
        continue
    b = open(os.path.join(d, n), "rb").read()
    magic, version, ntok = struct.unpack("<3i", b[:12])
    width = 2 if magic == 20240520 else 4
    assert magic in (20240520, 20240801), n
    assert len(b) == 1024 + width * ntok, (n, len(b), ntok)
PY
ok
expect_rc 1 "$SL" export "$T/small/jsonl"
grep -qiE "No space left|disk is full" "$T/err" || { cat "$T/err"; fail "no clear error from jsonl export"; }
[ -z "$(find "$T/small/jsonl" -name '*.jsonl.zst' 2>/dev/null)" ] || fail "a partial jsonl.zst kept its name"
done_tests
