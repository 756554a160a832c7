#!/bin/sh
# bench_queue.sh [NDOCS] [DECISIONS]: the labelling queue on a large store
# (default 1,000,000 documents, 3000 decisions per strategy): p50/p99 of
# queue_next (the next document on screen) and queue_decide (the decision
# committed) for each strategy, a new session's first next, and review.
# Goal (issue #6): next document within 16 ms.  Writes under bench/out/.
# Prodigy (the peer) is not installable here (commercial, no Debian or npm
# package), so there is no side-by-side number.
set -eu
ndocs=${1:-1000000}
n=${2:-3000}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p $out
make build/libsluice.a >/dev/null
cc -O2 -D_GNU_SOURCE -o $out/bench_queue bench/bench_queue.c build/libsluice.a \
   $(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash libpcre2-8 libcurl \
     libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih) -lpthread -lm
db=$out/queue-$ndocs.db
if [ ! -s "$db" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	$out/bench_queue gen "$db" "$ndocs"
fi
# the tasks of an earlier run would start where it stopped: start afresh
sqlite3 "$db" "DELETE FROM annotations; DELETE FROM reviews; DELETE FROM leases; DELETE FROM label_docs; DELETE FROM final_labels; DELETE FROM tasks"
ls -l "$db" | awk '{printf "store: %.0f MB, ", $5 / 1e6}'
echo "$ndocs documents; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
$out/bench_queue run "$db" "$n"
