#!/bin/sh
# bench_encoder.sh: the Transformer encoder classifier (model/encoder*.c).
#
#   1. speed: sequences/s of the forward pass at 128 tokens (dim 256,
#      4 layers, 4 heads, ffn 1024, random weights) on 1 thread and on 2,
#      beside the FLOP-bound ceiling measured in the same run: the same
#      matrix products as plain cblas_sgemm calls on as many threads
#      (OpenBLAS set to 1 thread, each of our workers runs whole
#      sub-batches of 32 sequences).  Goal: >= 60% of the ceiling.
#   2. quality (ENCODER_QUALITY=1, several minutes): train on the toxicity
#      sets (/work/shared/data/toxicity: English Davidson train/test,
#      Chinese COLD train/dev) with encoder_train_defaults() and report
#      test P/R/F1 of label 1, macro-F1 and AUC.  model-linear's
#      benchmark runs fastText beside it.
#
# Usage: sh bench/bench_encoder.sh   (from the top of the tree)
# Env:   SLUICE_DATA (default /work/shared/data), ENCODER_QUALITY=1,
#        ENCODER_SECONDS (per speed measurement, default 8)
set -eu
cd "$(dirname "$0")/.."
DATA=${SLUICE_DATA:-/work/shared/data}
OUT=bench/out
mkdir -p "$OUT"

make --no-print-directory build/libsluice.a >/dev/null
cc -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
   $(pkg-config --cflags openblas) bench/bench_encoder.c build/libsluice.a \
   $(pkg-config --libs jansson libpcre2-8 libxxhash openblas) -lpthread -lm \
   -o "$OUT/bench_encoder"

get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

for t in 1 2; do
	"$OUT/bench_encoder" speed "$t" "${ENCODER_SECONDS:-8}" > "$OUT/encoder_speed_$t.txt"
	f="$OUT/encoder_speed_$t.txt"
	printf "speed, %d thread(s), 128 tokens: %s seq/s (%s GFLOP/s); sgemm ceiling %s seq/s (%s GFLOP/s); ratio %s\n" \
	    "$t" "$(get seq_per_s "$f")" "$(get gflops "$f")" \
	    "$(get ceiling_seq_per_s "$f")" "$(get ceiling_gflops "$f")" \
	    "$(get ratio "$f")"
done

# The other way round: one worker, OpenBLAS's threads inside each sgemm.
f="$OUT/encoder_speed_blas2.txt"
"$OUT/bench_encoder" speed 2 "${ENCODER_SECONDS:-8}" blas > "$f"
printf "speed, 2 OpenBLAS threads under 1 worker: %s seq/s; ceiling %s seq/s; ratio %s\n" \
    "$(get seq_per_s "$f")" "$(get ceiling_seq_per_s "$f")" "$(get ratio "$f")"

if [ "${ENCODER_QUALITY:-0}" = 1 ]; then
	TOX=$DATA/toxicity
	echo "== quality, English (Davidson, test.tsv)"
	"$OUT/bench_encoder" quality "$TOX/train.tsv" "$TOX/test.tsv" 2>"$OUT/encoder_en.log"
	echo "== quality, Chinese (COLD, zh/dev.tsv)"
	"$OUT/bench_encoder" quality "$TOX/zh/train.tsv" "$TOX/zh/dev.tsv" 2>"$OUT/encoder_zh.log"
fi
