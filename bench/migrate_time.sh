#!/bin/sh
# migrate_time.sh STORE [SLUICE]: how long this sluice takes to migrate a
# store written by an older one.  Copies STORE to bench/out/migrate.db,
# runs `sluice init` on the copy under /usr/bin/time and prints the schema
# version before and after, wall and CPU seconds and max RSS.
set -eu
[ $# -ge 1 ] || { echo "usage: migrate_time.sh STORE [SLUICE]" >&2; exit 2; }
store=$(realpath "$1")
cd "$(dirname "$0")/.."
sl=$(realpath "${2:-./sluice}")
out=bench/out/migrate.db
mkdir -p bench/out
rm -f "$out" "$out-wal" "$out-shm"
cp "$store" "$out"
before=$(sqlite3 "$out" "PRAGMA user_version")
/usr/bin/time -o bench/out/migrate.time -f "%e %U %S %M" "$sl" --db "$out" -q init
after=$(sqlite3 "$out" "PRAGMA user_version")
awk -v b="$before" -v a="$after" '{ printf "schema %s -> %s: wall %.1f s, CPU %.1f s, max RSS %.0f MB\n",
	b, a, $1, $2 + $3, $4 / 1024 }' bench/out/migrate.time
rm -f "$out" "$out-wal" "$out-shm"
