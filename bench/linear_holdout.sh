#!/bin/sh
# linear_holdout.sh: how the linear model's defaults were chosen without
# looking at the test sets: train on 90% of each toxicity TRAINING set and
# evaluate on the other 10% (every 10th line), for a few option sets.
# Prints macro-F1 and AUC on the held-out tenth.
# Usage: sh bench/linear_holdout.sh   (from the top of the tree)
# Env:   SLUICE_DATA (default /work/shared/data).
set -eu
cd "$(dirname "$0")/.."
DATA=${SLUICE_DATA:-/work/shared/data}/toxicity
OUT=bench/out/holdout
mkdir -p "$OUT"
make --no-print-directory -s sluice
for lang in en zh; do
	if [ $lang = en ]; then tr=$DATA/train.tsv; else tr=$DATA/zh/train.tsv; fi
	awk -F'\t' 'NR > 1 { print $NF "\t" $2 }' "$tr" > "$OUT/$lang-all.tsv"
	awk 'NR % 10 == 0' "$OUT/$lang-all.tsv" > "$OUT/$lang-hold.tsv"
	awk 'NR % 10 != 0' "$OUT/$lang-all.tsv" > "$OUT/$lang-train.tsv"
	for v in "fastText-like:--epochs 25 --char-ngrams 2" \
		 "seed 2:--epochs 25 --char-ngrams 2 --seed 2" \
		 "10 epochs:--epochs 10 --char-ngrams 2" \
		 "char trigrams:--epochs 25" \
		 "word+char trigrams:--epochs 25 --ngrams 3" \
		 "defaults (10 epochs, char trigrams):"; do
		name=${v%%:*} opts=${v#*:}
		# shellcheck disable=SC2086
		./sluice train --data "$OUT/$lang-train.tsv" --dev "$OUT/$lang-hold.tsv" \
			--out "$OUT/m.safetensors" $opts 2> "$OUT/log.txt"
		printf '%s %-36s %s\n' $lang "$name" \
			"$(grep -o 'macro-F1 [0-9.]* AUC [0-9.]*' "$OUT/log.txt" | tail -1)"
	done
done
