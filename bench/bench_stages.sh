#!/bin/sh
# bench_stages.sh [SIZE_MB]: MB/s per core of the lang, quality, rules
# (word lists) and pii stages, each calling the stage's apply() on one
# thread over the same documents (CPU time of apply() alone; quality and
# rules get each document's language from the lang stage first, untimed) (bench/gen_corpus.py, default 100 MB of
# JSONL: English and Chinese documents of 3-120 lines), beside the floor
# `xxhsum -H3` hashing the same bytes in the same run.  Also times the
# rules stage with one PCRE2 alternation of the same English list, and a
# PCRE2 version of the PII patterns, to show what the hand-written
# matchers buy.  Writes under bench/out/.
set -eu
size=${1:-100}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p $out
[ -s build/libsluice.a ] || make build/libsluice.a >/dev/null
cc -O2 -D_GNU_SOURCE -o $out/bench_stages bench/bench_stages.c build/libsluice.a \
   $(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash libpcre2-8 libcurl \
     libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih openblas) -lpthread -lm
corpus=$out/corpus-$size.jsonl
docs=$out/docs-$size.txt
[ -s "$corpus" ] || python3 bench/gen_corpus.py "$corpus" "$size"
[ -s "$docs" ] || python3 - "$corpus" "$docs" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    o.write("\x1e".join(json.loads(l)["text"] for l in f))
PY
# the comparison rule files: one alternation of LDNOOBW en; PII as PCRE2
python3 - filter/rules/ldnoobw-en.txt $out <<'PY'
import re, sys
words = [w for w in open(sys.argv[1], encoding="utf-8").read().split("\n") if w]
alt = "|".join(re.escape(w).replace("\\ ", "\\s+") for w in words)
open(sys.argv[2] + "/alternation.rules", "w").write(
    "alt  text  flag  3  regex (?i)\\b(?:" + alt + ")\\b\n")
open(sys.argv[2] + "/pii-pcre2.rules", "w").write(
    "email text redact 1 regex [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\n"
    "ipv4  text redact 1 regex \\b(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\b\n"
    "phone text redact 1 regex (?:\\+\\d[\\d ().-]{7,18}\\d|\\(?\\b\\d{3}\\)?[ .-]\\d{3}[ .-]\\d{4}\\b|\\b1[3-9]\\d{9}\\b)\n"
    "card  text redact 1 regex \\b[2-6]\\d{3}(?:[ -]?\\d{4}){2}[ -]?\\d{1,7}\\b\n")
PY
bytes=$(stat -c %s "$docs")
cat "$docs" > /dev/null
floor() {
	s=$(date +%s.%N); xxhsum -H3 "$docs" > /dev/null; e=$(date +%s.%N)
	python3 -c "print(f'{$bytes / 1e6 / ($e - $s):.1f}')"
}
run() {	# name, then bench_stages arguments
	name=$1; shift
	line=$($out/bench_stages "$docs" "$@")
	echo "$line"
	mbs=$(echo "$line" | head -1 | awk '{print $2}')
	echo "$name $mbs" >> $out/stages.txt
}
: > $out/stages.txt
fl1=$(floor)
echo "xxhsum -H3 (floor) $fl1 MB/s over $(python3 -c "print(f'{$bytes/1e6:.0f}')") MB of text"
run lang lang
run lang_textcat_only lang en_fast=0
run quality quality +lang
run rules_words rules +lang
run rules_alternation rules +lang files=$out/alternation.rules
run pii pii
run pii_as_pcre2 rules files=$out/pii-pcre2.rules
fl2=$(floor)
python3 - "$fl1" "$fl2" $out/stages.txt <<'PY'
import sys
floor = max(float(sys.argv[1]), float(sys.argv[2]))
print(f"\n{'stage':<20} {'MB/s':>8} {'xxhsum/stage':>13}")
for l in open(sys.argv[3]):
    name, mbs = l.split()
    print(f"{name:<20} {float(mbs):8.1f} {floor / float(mbs):13.1f}")
print(f"{'xxhsum -H3':<20} {floor:8.1f} {1:13.1f}")
PY
