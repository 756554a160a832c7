#!/bin/sh
# bench_classify.sh: the classifiers of issue #5 on the toxicity sets
# (/work/shared/data/toxicity: English Davidson train/test, Chinese COLD
# train/dev), beside fastText trained on the same split in the same run:
#
#   quality  P/R/F1 of label 1, macro-F1, AUC on test (English) / dev
#            (Chinese) for fastText (`supervised -dim 64 -wordNgrams 2
#            -epoch 25`, Chinese split into characters first), sluice
#            linear (defaults), sluice encoder (encoder_train_defaults) and
#            the cascade (linear in front of the encoder) at two bands
#            (the default [0.3, 0.7] and a wider one).
#            fastText and the linear model train on all of train (no early
#            stopping); the encoder holds 10% of train out for its early
#            stopping, never the test set;
#   speed    docs/s scoring the test texts repeated REPEAT times, model
#            loading excluded (sluice prints its own scoring time; for
#            fastText the time of a one-line run is subtracted), on 1 and
#            2 threads (fastText's predict has one thread).
#
# Usage: sh bench/bench_classify.sh     (from the top of the tree)
# Env:   SLUICE_DATA (default /work/shared/data), CLASSIFY_REPEAT (10),
#        CLASSIFY_ENCODER=0 skips the encoder and the cascade (minutes),
#        CLASSIFY_LANGS ("en zh").
set -eu
cd "$(dirname "$0")/.."
DATA=${SLUICE_DATA:-/work/shared/data}/toxicity
OUT=bench/out/classify
REPEAT=${CLASSIFY_REPEAT:-10}
ENC=${CLASSIFY_ENCODER:-1}
LANGS=${CLASSIFY_LANGS:-en zh}
mkdir -p "$OUT"
command -v fasttext >/dev/null || apt-get install -y fasttext >/dev/null
make --no-print-directory -s sluice
SL=./sluice
now() { date +%s.%N; }

# text<TAB>label from id<TAB>label<TAB>...<TAB>text
tsv() { awk -F'\t' 'NR > 1 { print $NF "\t" $2 }' "$1"; }
# fastText's input: __label__L text, Chinese (any non-ASCII) one
# character a token
ft() {
	python3 -c '
import sys
for l in sys.stdin:
    t, lab = l.rstrip("\n").rsplit("\t", 1)
    if sys.argv[1] == "zh":
        t = "".join(" %s " % c if ord(c) > 127 else c for c in t)
        t = " ".join(t.split())
    print("__label__%s %s" % (lab, t))
' "$1"
}
# the figures of `sluice classify --eval` / `classify_metrics.py`
fig() { sed -n 's/.*P \([0-9.]*\) R \([0-9.]*\) F1 \([0-9.]*\) macro-F1 \([0-9.]*\) AUC \([0-9.-]*\).*/\1 \2 \3 \4 \5/p' "$1" | tail -1; }
rate() { sed -n 's/.*texts in [0-9.]*s (\([0-9]*\)\/s.*/\1/p' "$1" | tail -1; }
row() { printf '%-4s %-26s %6s %6s %6s %8s %6s %8s %9s %9s\n' "$@"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "cpu: $cpu; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); speed on the test texts x $REPEAT"
row lang model P R F1 macro-F1 AUC train_s docs/s_1t docs/s_2t
for lang in $LANGS; do
	if [ $lang = en ]; then tr=$DATA/train.tsv; te=$DATA/test.tsv
	else tr=$DATA/zh/train.tsv; te=$DATA/zh/dev.tsv; fi
	d=$OUT/$lang
	mkdir -p "$d"
	tsv "$tr" > "$d/train.tsv"
	tsv "$te" > "$d/test.tsv"
	i=0; : > "$d/big.tsv"
	while [ $i -lt "$REPEAT" ]; do cat "$d/test.tsv" >> "$d/big.tsv"; i=$((i + 1)); done
	nbig=$(wc -l < "$d/big.tsv")

	# fastText
	ft $lang < "$d/train.tsv" > "$d/ft_train.txt"
	ft $lang < "$d/test.tsv" > "$d/ft_test.txt"
	ft $lang < "$d/big.tsv" > "$d/ft_big.txt"
	t0=$(now)
	fasttext supervised -input "$d/ft_train.txt" -output "$d/ft" -dim 64 \
		-wordNgrams 2 -epoch 25 -thread 2 -verbose 0
	t1=$(now)
	fasttext predict-prob "$d/ft.bin" "$d/ft_test.txt" 2 > "$d/ft_pred.txt"
	python3 bench/classify_metrics.py "$d/test.tsv" "$d/ft_pred.txt" > "$d/ft_eval.txt"
	head -1 "$d/ft_test.txt" > "$d/ft_one.txt"
	a=$(now); fasttext predict-prob "$d/ft.bin" "$d/ft_one.txt" 2 > /dev/null; b=$(now)
	fasttext predict-prob "$d/ft.bin" "$d/ft_big.txt" 2 > /dev/null; c=$(now)
	ftrate=$(echo "$a $b $c $nbig" | awk '{printf "%.0f", $4 / (($3 - $2) - ($2 - $1))}')
	row $lang "fastText" $(fig "$d/ft_eval.txt") \
		$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') "$ftrate" "-"

	# sluice linear
	t0=$(now)
	$SL -q train --data "$d/train.tsv" --dev "$d/test.tsv" --out "$d/linear.safetensors"
	t1=$(now)
	$SL classify --model "$d/linear.safetensors" --eval < "$d/test.tsv" > /dev/null 2> "$d/lin_eval.txt"
	$SL classify --model "$d/linear.safetensors" --threads 1 < "$d/big.tsv" > /dev/null 2> "$d/lin_1.txt"
	$SL classify --model "$d/linear.safetensors" --threads 2 < "$d/big.tsv" > /dev/null 2> "$d/lin_2.txt"
	row $lang "sluice linear" $(fig "$d/lin_eval.txt") \
		$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') \
		$(rate "$d/lin_1.txt") $(rate "$d/lin_2.txt")

	[ "$ENC" = 1 ] || continue
	# sluice encoder, its defaults
	t0=$(now)
	# early stopping on 10% of train held out, never on the test set
	$SL train --arch encoder --data "$d/train.tsv" --dev-fraction 0.1 \
		--out "$d/encoder.safetensors" 2> "$d/enc_train.txt"
	t1=$(now)
	$SL classify --model "$d/encoder.safetensors" --threads 2 --eval < "$d/test.tsv" > /dev/null 2> "$d/enc_eval.txt"
	$SL classify --model "$d/encoder.safetensors" --threads 1 < "$d/test.tsv" > /dev/null 2> "$d/enc_1.txt"
	row $lang "sluice encoder" $(fig "$d/enc_eval.txt") \
		$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') \
		$(rate "$d/enc_1.txt") $(rate "$d/enc_eval.txt")

	# the cascade: linear decides outside the band, the encoder inside
	for band in 0.3,0.7 0.4,0.6 0.1,0.9; do
		$SL classify --model "$d/encoder.safetensors" --cheap-model \
			"$d/linear.safetensors" --band $band --threads 2 --eval \
			< "$d/test.tsv" > /dev/null 2> "$d/cas_eval.txt"
		$SL classify --model "$d/encoder.safetensors" --cheap-model \
			"$d/linear.safetensors" --band $band --threads 1 \
			< "$d/big.tsv" > /dev/null 2> "$d/cas_1.txt"
		$SL classify --model "$d/encoder.safetensors" --cheap-model \
			"$d/linear.safetensors" --band $band --threads 2 \
			< "$d/big.tsv" > /dev/null 2> "$d/cas_2.txt"
		share=$(sed -n 's/.*(\([0-9.]*%\)) went.*/\1/p' "$d/cas_eval.txt")
		row $lang "cascade [$band] enc $share" $(fig "$d/cas_eval.txt") "-" \
			$(rate "$d/cas_1.txt") $(rate "$d/cas_2.txt")
	done

	# the [filter.classify] stage over a store of the big set, default
	# band, encoder threads 2: docs/s with 1 and 2 runner threads
	python3 -c '
import json, sys
for i, l in enumerate(open(sys.argv[1], encoding="utf-8")):
    print(json.dumps({"id": "n%d" % i, "text": l.rstrip("\n").rsplit("\t", 1)[0]},
                     ensure_ascii=False))' "$d/big.tsv" > "$d/big.jsonl"
	rm -f "$d"/stage.db*
	$SL --db "$d/stage.db" -q import "$d/big.jsonl"
	printf '[filter.classify]\nmodel = %s\ncheap_model = %s\nthreads = 2\n' \
		"$d/encoder.safetensors" "$d/linear.safetensors" > "$d/stage.ini"
	for t in 1 2; do
		t0=$(now)
		$SL --db "$d/stage.db" -q filter --pipeline "$d/stage.ini" \
			--threads $t --redo classify
		t1=$(now)
		eval "st$t=$(echo "$t0 $t1 $nbig" | awk '{printf "%.0f", $3 / ($2 - $1)}')"
	done
	row $lang "stage classify (store)" - - - - - - "$st1" "$st2"
done
