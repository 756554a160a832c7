# lib.sh: shared helpers for the end-to-end drivers (POSIX sh).
# Source it; it sets SL (the binary), T (a scratch dir removed at exit) and
# defines check helpers that fail the script with a message.
set -u
SL=${SLUICE_BIN:-./sluice}
case $SL in /*) ;; *) SL=$(pwd)/$SL ;; esac
T=$(mktemp -d /tmp/sluice-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
export SLUICE_DB="$T/s.db"
ntests=0

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { ntests=$((ntests + 1)); }
# expect_rc WANT CMD...: run CMD, check its exit status
expect_rc() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"; got=$?
	[ "$got" = "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $got, want $want"; }
	ok
}
# expect_err SUBSTRING: the last command's stderr contains it
expect_err() {
	grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }
	ok
}
expect_out() {
	grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }
	ok
}
done_tests() { echo "$(basename "$0"): $ntests checks passed"; }
