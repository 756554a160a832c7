#!/bin/sh
# End-to-end: kill -9 import, filter, export, crawl and a labelling session
# at random moments, resume, and compare with an uninterrupted run
# (tests/crash.py).  make check runs CRASH_ROUNDS kills per step (default
# 3); `make crash` runs 50.
. tests/lib.sh
python3 tests/crash.py --rounds "${CRASH_ROUNDS:-3}" ${CRASH_SEED:+--seed "$CRASH_SEED"} \
	"$SL" || fail "crash consistency"
ok
done_tests
