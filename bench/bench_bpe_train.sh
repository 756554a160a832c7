#!/bin/sh
# bench_bpe_train.sh [SIZE_MB]: `sluice tokenizer train` time and peak
# memory (max RSS) for vocab 8k and 32k on a generated corpus (default
# 100 MB, bench/gen_corpus.py: English and Chinese lines), beside Hugging
# Face tokenizers (npm `tokenizers`, the Rust crate's binding; its node API
# trains only with the default vocab of 30000, so that is compared with
# ours at 30000) on the same text, one thread each (RAYON_NUM_THREADS=1;
# sluice trains on one thread).  Writes under bench/out/.
set -eu
size=${1:-100}
cd "$(dirname "$0")/.."
SL=${SLUICE_BIN:-./sluice}
out=bench/out
mkdir -p $out
corpus=$out/corpus-$size.jsonl
[ -s "$corpus" ] || python3 bench/gen_corpus.py "$corpus" "$size"
[ -d bench/node_modules/tokenizers ] || (cd bench && npm install --no-audit --no-fund) || true
db=$out/bpe-train-$size.db
text=$out/bpe-train-$size.txt
if [ ! -s "$db" ]; then
	rm -f "$db"
	$SL --db "$db" -q import "$corpus"
fi
[ -s "$text" ] || python3 -c '
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for l in open(sys.argv[1], encoding="utf-8"):
        f.write(json.loads(l)["text"] + "\n")' "$corpus" "$text"
mb=$(python3 -c "print(round($(stat -c %s "$text") / 1e6, 1))")

measure() {	# seconds, max RSS (MB) of a command
	/usr/bin/time -v "$@" 2>$out/time.txt >/dev/null || { cat $out/time.txt; exit 1; }
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' $out/time.txt)
	rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' $out/time.txt)
}

echo "corpus: $mb MB of text ($corpus)"
for v in 8000 32000 30000; do
	measure $SL --db "$db" tokenizer train --vocab $v $out/bpe-$v.tiktoken
	echo "sluice vocab $v: ${secs}s, ${rss} MB max RSS"
	eval "s_$v=$secs r_$v=$rss"
done
bpt=$(python3 -c "print(round($(stat -c %s "$text") / $($SL tokenize --count --max-input 4G --tokenizer $out/bpe-32000.tiktoken < "$text"), 2))")
echo "sluice vocab 32000: $bpt bytes/token on the training text"
if [ -d bench/node_modules/tokenizers ]; then
	RAYON_NUM_THREADS=1 measure node bench/hf_train.js "$text" $out/hf-30000.json
	echo "hf tokenizers vocab 30000 (1 thread): ${secs}s, ${rss} MB max RSS"
	echo "ratio (hf time / sluice time, vocab 30000): $(python3 -c "print(round($secs / $s_30000, 2))")"
else
	echo "hf tokenizers: not installed (cd bench && npm install tokenizers@0.23.2)"
fi
