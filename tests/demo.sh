#!/bin/sh
# demo.sh: the main job end to end on bundled data (make demo).
# Everything lands in demo-out/: the store, the exported corpus.
set -eu
SL=${SLUICE_BIN:-./sluice}
out=demo-out
rm -rf "$out"
mkdir -p "$out"
export SLUICE_DB="$out/sluice.db"
step() { printf '\n== %s\n' "$*"; }

step "create the store"
$SL init

step "import the bundled sample (Debian FAQ, English and Chinese, with copies)"
$SL import tests/data/sample/debian-faq.jsonl

step "import it again: nothing new"
$SL import tests/data/sample/debian-faq.jsonl

step "crawl a small local website (Debian FAQ pages, English and Chinese)"
# python3 -m http.server on a free loopback port; the SSRF guard refuses
# loopback unless --allow-net opens it.
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
$SL crawl --allow-net 127.0.0.1/32 --delay 0 "http://127.0.0.1:$port/"
kill $srv; wait $srv 2>/dev/null || true

step "one crawled page"
$SL show --no-text "$(sqlite3 "$SLUICE_DB" "SELECT id FROM docs WHERE url LIKE '%/zh-cn/basic-defs.zh-cn.html'")"

step "filter: normalize, then exact dedup (the sample has 12 verbatim copies)"
$SL filter

step "why a copy was dropped"
$SL why faq-en-2.5 || true

step "what the store holds"
$SL stats

step "one document"
$SL show --no-text faq-zh-1.1

step "export the kept documents (Dolma layout, zstd)"
$SL export "$out/export"
ls -l "$out/export/documents"
printf '\nfirst exported document:\n'
zstd -dc "$out/export/documents/0000.jsonl.zst" | head -n 1 | cut -c 1-300
printf '\ndemo done: store %s, corpus %s/export\n' "$SLUICE_DB" "$out"
