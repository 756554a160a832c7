#!/bin/sh
# compare_filter.sh OLD NEW [DOCS] [STAGES]: the same filter run by two
# sluice binaries (say, a build of the previous commit and this one) on
# copies of one store: DOCS documents (default 1000000) of the ~1 KB
# corpus bench_filter.sh uses, stages STAGES (default "normalize exact").
# Prints each run's per-stage table, wall and CPU seconds, max RSS and
# bytes written (File system outputs x 512), then whether the verdicts and
# rewritten texts are identical.  The store is imported by OLD, so NEW
# also migrates it when its schema is newer.  Everything is written under
# bench/out/compare/.
set -eu
[ $# -ge 2 ] || { echo "usage: compare_filter.sh OLD NEW [DOCS] [STAGES]" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
n=${3:-1000000} stages=${4:-normalize exact}
cd "$(dirname "$0")/.."
out=bench/out/compare
mkdir -p "$out"
big=bench/out/filter/corpus-1k-1m.jsonl
mkdir -p bench/out/filter
[ -s "$big" ] || python3 bench/gen_corpus.py "$big" 5000 --doc-bytes 1000 \
	--unique --docs 1000000
: > "$out/p.ini"
for s in $stages; do printf '[filter.%s]\n' "$s" >> "$out/p.ini"; done
rm -f "$out"/a.db* "$out"/b.db*
head -n "$n" "$big" > "$out/part.jsonl"
"$old" --db "$out/a.db" -q import "$out/part.jsonl"
rm -f "$out/part.jsonl"
cp "$out/a.db" "$out/b.db"
for side in a b; do
	bin=$old; [ $side = b ] && bin=$new
	echo "== $bin: $n documents, stages: $stages"
	/usr/bin/time -o "$out/$side.time" -f "%e %U %S %M %O" \
		"$bin" --db "$out/$side.db" filter --pipeline "$out/p.ini" 2>&1 |
		sed 's/^/  /'
	awk '{ printf "  wall %.1f s, CPU %.1f s (user %.1f + sys %.1f), max RSS %.0f MB, written %.2f GB\n",
	       $1, $2 + $3, $2, $3, $4 / 1024, $5 * 512 / 1e9 }' "$out/$side.time"
done
sum() {
	sqlite3 "$out/$1.db" "SELECT doc, stage, decision, reason, detail, version
		FROM verdicts ORDER BY doc, stage" | md5sum | cut -c1-32
	sqlite3 "$out/$1.db" "SELECT doc, nbytes, hex(hash) FROM texts ORDER BY doc" |
		md5sum | cut -c1-32
}
if [ "$(sum a)" = "$(sum b)" ]; then
	echo "verdicts and texts: identical"
else
	echo "verdicts and texts: DIFFER"; exit 1
fi
