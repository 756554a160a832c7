#!/bin/sh
# run.sh SECONDS TARGET.c...: build each fuzz target with libFuzzer and run
# it for SECONDS, starting from its committed corpus.  Exits non-zero when
# a target crashes (the input is kept in build-fuzz/crashes/).
set -u
secs=$1; shift
libs=$(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash libpcre2-8 libcurl libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih ncursesw openblas)
cflags=$(pkg-config --cflags sqlite3 libzstd zlib jansson libxxhash libpcre2-8 libcurl libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih ncursesw openblas)
mkdir -p build-fuzz/fuzz build-fuzz/crashes
status=0
for src in "$@"; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=build-fuzz/fuzz/$name
	clang-14 -O1 -g -D_GNU_SOURCE -I. $cflags \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"$src" build-fuzz/libsluice.a $libs -lpthread -lm -o "$bin" || { status=1; continue; }
	work=build-fuzz/corpus/$short
	mkdir -p "$work"
	dict=
	[ -f "tests/fuzz/$short.dict" ] && dict="-dict=tests/fuzz/$short.dict"
	echo "== $name for ${secs}s"
	log=build-fuzz/$name.log
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$bin" -max_total_time="$secs" -print_final_stats=1 $dict \
		-artifact_prefix=build-fuzz/crashes/"$short"- \
		"$work" "tests/fuzz/corpus/$short" >"$log" 2>&1
	grep -E 'stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY|Done' "$log"
	if ls build-fuzz/crashes/"$short"-* >/dev/null 2>&1; then
		echo "$name: crash found"; status=1
	elif ! grep -q '^Done' "$log"; then
		# a bad dictionary or flag stops libFuzzer before any run
		tail -n 3 "$log"; echo "$name: did not run (see $log)"; status=1
	fi
done
exit $status
