#!/bin/sh
# bench_label.sh [NDOCS] [DECISIONS]: keypress to next document drawn in
# `sluice label` (bench/bench_label.c) on a generated store (default
# 1,000,000 documents, made by bench_queue gen, 2000 decisions), and the
# text half (sanitize, wrap, draw) on 4 KB and 1 MB documents.
# Goal (issue #6): the next document on screen within 16 ms.
set -eu
ndocs=${1:-1000000}
n=${2:-2000}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p $out
make build/libsluice.a >/dev/null
libs="$(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash libpcre2-8 \
	libcurl libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih \
	ncursesw) -lpthread -lm"
cflags="-O2 -D_GNU_SOURCE $(pkg-config --cflags ncursesw)"
cc $cflags -o $out/bench_queue bench/bench_queue.c build/libsluice.a $libs
cc $cflags -o $out/bench_label bench/bench_label.c build/libsluice.a $libs
db=$out/label-$ndocs.db
if [ ! -s "$db" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	$out/bench_queue gen "$db" "$ndocs"
fi
# start afresh: the task of an earlier run would be done
sqlite3 "$db" "DELETE FROM annotations; DELETE FROM reviews; DELETE FROM leases; DELETE FROM label_docs; DELETE FROM final_labels; DELETE FROM tasks"
ls -l "$db" | awk '{printf "store: %.0f MB, ", $5 / 1e6}'
echo "$ndocs documents; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
$out/bench_label run "$db" "$n"
$out/bench_label text
