#!/bin/sh
# demo.sh: the main job end to end on bundled data (make demo).
#
# A local website (tests/data/site: Debian FAQ pages in English and
# Chinese, a duplicate, a forum page with boilerplate and profanity, a
# robots.txt) is served on loopback; `sluice run demo.ini` crawls it,
# imports the bundled JSONL sample, filters everything and exports JSONL and
# token shards; `sluice report --html` draws the result.  Everything lands
# in demo-out/.
set -eu
SL=${SLUICE_BIN:-./sluice}
case $SL in /*) ;; *) SL=$(pwd)/$SL ;; esac
out=demo-out
rm -rf "$out"
mkdir -p "$out"
export SLUICE_DB="$out/sluice.db"
step() { printf '\n== %s\n' "$*"; }

step "serve the demo website on loopback"
python3 -u -m http.server --bind 127.0.0.1 --directory tests/data/site 0 \
	>"$out/http.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
port= i=0
while [ -z "$port" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "demo: http.server did not start" >&2; exit 1; }
	sleep 0.1
	port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$out/http.log" | head -n 1)
done
echo "http://127.0.0.1:$port/"

step "the pipeline file"
cat > "$out/demo.ini" <<INI
[crawl]
seeds = http://127.0.0.1:$port/
allow_net = 127.0.0.1/32      ; the SSRF guard refuses loopback otherwise
delay = 0
max_pages = 200

[import]
paths = tests/data/sample/*.jsonl

[filter.normalize]
[filter.lang]
[filter.exact]
[filter.minhash]
[filter.lines]
[filter.quality]
[filter.rules]
defaults = true
[filter.pii]

[export]
dir = $out/corpus
formats = jsonl.zst, tokens
tokenizer = cl100k_base
INI
cat "$out/demo.ini"

step "sluice run: crawl, import, filter, export"
$SL run "$out/demo.ini"

step "run again: nothing new to do"
$SL run "$out/demo.ini"
kill $srv; wait $srv 2>/dev/null || true

step "the run history"
$SL runs

step "why the mirrored page was dropped"
$SL why "$(sqlite3 "$SLUICE_DB" "SELECT id FROM docs WHERE url LIKE '%/mirror/basic-defs.html'")" || true

step "the forum page: boilerplate gone, profanity flagged"
$SL show "$(sqlite3 "$SLUICE_DB" "SELECT id FROM docs WHERE url LIKE '%/community/forum.html'")" | head -30

step "the report"
$SL report
$SL report --html "$out/report.html"

step "what training code reads"
ls -l "$out/corpus/documents" "$out/corpus/tokens"
printf '\ndemo done:\n  store    %s\n  report   %s\n  corpus   %s/corpus/documents (JSONL.zst)\n  shards   %s/corpus/tokens (llm.c, cl100k_base; manifest.json)\n' \
	"$SLUICE_DB" "$out/report.html" "$out" "$out"
