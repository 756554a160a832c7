#!/bin/sh
# run.sh BUILD TESTBIN...: run the Check suites, then every tests/e2e_*.sh,
# and print one closing line "N passed, N failed".
# SLUICE_BIN names the binary the end-to-end drivers run (default ./sluice).
build=$1; shift
: "${SLUICE_BIN:=./sluice}"
export SLUICE_BIN
export CK_FORK=yes
pass=0 fail=0 failed=
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for t in tests/e2e_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	if sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
