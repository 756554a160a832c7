#!/bin/sh
# run.sh: every benchmark in bench/ (make bench).  Each bench_*.sh runs one
# capability beside its peer tool on the same input and prints the ratio;
# copy the figures, with the command, into bench/RESULTS.md.
cd "$(dirname "$0")/.."
status=0
for b in bench/bench_*.sh; do
	echo "== $b"
	sh "$b" || status=1
done
exit $status
