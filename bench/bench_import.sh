#!/bin/sh
# bench_import.sh [SIZE_MB]: import and export throughput on a generated
# FineWeb-shaped JSONL corpus (default 1000 MB), beside `zstd -3` compressing
# the same bytes on one core.  The figure is the ratio of MB/s.  Peak memory
# (max RSS) is measured at full size and at a quarter size: flat means the
# import streams.  Writes under bench/out/.
set -eu
size=${1:-1000}
cd "$(dirname "$0")/.."
SL=${SLUICE_BIN:-./sluice}
out=bench/out
mkdir -p $out
corpus=$out/corpus-$size.jsonl
quarter=$out/corpus-$((size / 4)).jsonl
[ -s "$corpus" ] || python3 bench/gen_corpus.py "$corpus" "$size"
[ -s "$quarter" ] || python3 bench/gen_corpus.py "$quarter" $((size / 4))
bytes=$(stat -c %s "$corpus")
mb=$(python3 -c "print($bytes / 1e6)")

# seconds and max RSS (KiB) of a command, from /usr/bin/time -v
measure() {
	/usr/bin/time -v "$@" 2>$out/time.txt >/dev/null || { cat $out/time.txt; exit 1; }
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' $out/time.txt)
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' $out/time.txt)
	cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' $out/time.txt)
}

cat "$corpus" > /dev/null	# warm the page cache for everyone alike
measure zstd -3 -T1 -q -c "$corpus"
zstd_s=$secs zstd_cpu=$cpu
rm -f $out/bench.db*
measure "$SL" --db $out/bench.db -q import "$corpus"
imp_s=$secs imp_rss=$rss imp_cpu=$cpu
rm -f $out/q.db*
measure "$SL" --db $out/q.db -q import "$quarter"
q_rss=$rss
rm -rf $out/export
measure "$SL" --db $out/bench.db -q export $out/export
exp_s=$secs exp_rss=$rss exp_cpu=$cpu
measure zstd -3 -T1 -q -c "$corpus"
zstd_s2=$secs

python3 - "$mb" "$zstd_s" "$zstd_s2" "$imp_s" "$exp_s" "$imp_rss" "$q_rss" "$exp_rss" "$zstd_cpu" "$imp_cpu" "$exp_cpu" <<'PY'
import sys
mb, z1, z2, imp, exp, rss, qrss, erss, zc, ic, ec = map(float, sys.argv[1:])
z = min(z1, z2)
print(f"corpus            {mb:8.0f} MB JSONL            wall clock                 CPU time (user+sys)")
print(f"zstd -3 -T1       {mb / z:8.1f} MB/s                                 {mb / zc:8.1f} MB/s")
print(f"sluice import     {mb / imp:8.1f} MB/s   ratio to zstd -3: {z / imp:.2f}   {mb / ic:8.1f} MB/s ratio {zc / ic:.2f}   max RSS {rss / 1024:.0f} MiB (quarter corpus: {qrss / 1024:.0f} MiB)")
print(f"sluice export     {mb / exp:8.1f} MB/s   ratio to zstd -3: {z / exp:.2f}   {mb / ec:8.1f} MB/s ratio {zc / ec:.2f}   max RSS {erss / 1024:.0f} MiB")
PY
