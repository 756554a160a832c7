#!/bin/sh
# bench_filter.sh: speed of the filter stages normalize, exact, minhash,
# lines, and of the whole `sluice filter` run with its store I/O.
#
#   1. per stage, one core: bench/bench_filter.c calls each stage's
#      ops->apply() (default options) over a generated ~1 GB corpus of ~4 KB
#      documents (gen_corpus.py --unique: web-like unique text, 20% Chinese,
#      boilerplate lines, 3% exact and 3% near copies), no store; beside the
#      floor `xxhsum -H2` (XXH128, what exact hashes with) over the same
#      bytes, in the same run.  Figures are CPU seconds of the one thread
#      (the machine is shared), MB/s = text bytes / CPU seconds.
#   2. whole run: `sluice import` then `sluice filter` with the four stages
#      on the first N/4 and N documents of a corpus of ~1 KB documents
#      (default N = 1,000,000): wall and CPU seconds, docs/s, peak memory
#      (max RSS from /usr/bin/time -v), rows of the LSH band index.
#
# Usage: sh bench/bench_filter.sh [SIZE_MB] [N]   (defaults 1000, 1000000)
# Env:   SKIP_STAGES=1 / SKIP_RUN=1 to do only one half.
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-1000}
N=${2:-1000000}
OUT=bench/out/filter
SL=$(pwd)/sluice
mkdir -p "$OUT"
command -v xxhsum >/dev/null || { echo "xxhsum missing: apt-get install xxhash"; exit 1; }
make --no-print-directory sluice build/libsluice.a >/dev/null
# shellcheck disable=SC2046
cc -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE bench/bench_filter.c \
   build/libsluice.a $(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash \
   libpcre2-8 libcurl libxml-2.0 libutf8proc uchardet libexttextcat liburiparser \
   inih openblas) -lm -lpthread -o "$OUT/bench_filter"

# cpu SECONDS of a command (user + sys), from /usr/bin/time
cpu_of() {
	/usr/bin/time -f "%U %S" -o "$OUT/t.txt" "$@" >/dev/null 2>&1
	awk '{ print $1 + $2 }' "$OUT/t.txt"
}

if [ "${SKIP_STAGES:-0}" != 1 ]; then
	raw=$OUT/corpus-4k.raw
	# ~5% of the JSONL is the other fields; ask for a little more
	[ -s "$raw" ] || python3 bench/gen_corpus.py /dev/null $((SIZE * 106 / 100)) \
		--doc-bytes 4000 --unique --raw "$raw"
	cat "$raw" > /dev/null		# page cache warm for both sides
	mb=$(stat -c %s "$raw" | awk '{ print $1 / 1e6 }')
	echo "== per stage, one core, $mb MB of ~4 KB documents ($raw)"
	xs=$(cpu_of xxhsum -H2 "$raw")
	xmb=$(awk -v m="$mb" -v s="$xs" 'BEGIN { printf "%.0f", m / s }')
	printf "  %-10s %8s MB/s  (%.2f s CPU)\n" "xxhsum-H2" "$xmb" "$xs"
	"$OUT/bench_filter" "$raw" normalize exact minhash lines > "$OUT/stages.txt"
	awk -v x="$xmb" '{ printf "  %-10s %8.1f MB/s  (%.2f s CPU, %s docs)  %5.3f of xxhsum\n", $1, $11, $9, $3, $11 / x }' "$OUT/stages.txt"
fi

[ "${SKIP_RUN:-0}" = 1 ] && exit 0
big=$OUT/corpus-1k-1m.jsonl
[ -s "$big" ] || python3 bench/gen_corpus.py "$big" 5000 --doc-bytes 1000 \
	--unique --docs 1000000
printf '[filter.normalize]\n[filter.exact]\n[filter.minhash]\n[filter.lines]\n' \
	> "$OUT/all.ini"
for n in $((N / 4)) "$N"; do
	part=$OUT/part-$n.jsonl
	head -n "$n" "$big" > "$part"
	db=$OUT/run-$n.db
	rm -f "$db" "$db-wal" "$db-shm"
	echo "== whole run: $n documents of ~1 KB ($(stat -c %s "$part" | awk '{ printf "%.0f", $1 / 1e6 }') MB JSONL)"
	/usr/bin/time -v -o "$OUT/import-$n.time" env SLUICE_DB="$db" "$SL" import "$part" 2>&1 | tail -1
	/usr/bin/time -v -o "$OUT/filter-$n.time" env SLUICE_DB="$db" "$SL" filter \
		--pipeline "$OUT/all.ini" 2> "$OUT/filter-$n.log" || { cat "$OUT/filter-$n.log"; exit 1; }
	grep -E '^(stage|normalize|exact|minhash|lines) ' "$OUT/filter-$n.log" | sed 's/^/  /'
	awk -v n="$n" -F': ' '
		/Elapsed \(wall clock\)/ { k = split($2, a, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + a[i] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
		END { printf "  filter: wall %.0f s, CPU %.0f s (user %.0f + sys %.0f): %.0f docs/s wall, %.0f docs per CPU-second; max RSS %.1f MB\n",
		      w, u + s, u, s, n / w, n / (u + s), r / 1024 }' "$OUT/filter-$n.time"
	printf "  store: %s MB; minhash_bands %s rows; line_counts %s rows\n" \
		"$(du -m "$db" | cut -f1)" \
		"$(sqlite3 "$db" 'SELECT count(*) FROM minhash_bands')" \
		"$(sqlite3 "$db" 'SELECT count(*) FROM line_counts')"
	rm -f "$part"
done
