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
