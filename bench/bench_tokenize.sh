#!/bin/sh
# bench_tokenize.sh: sluice's tokenizer against the reference, npm tiktoken
# 1.0.22 (OpenAI's Rust core compiled to WASM), on the same files, same
# encodings.  Prints MB/s for each, the ratio, and checks both give the same
# number of tokens (and the same ids: the CLI's output against the
# reference's).  Encode time only, best of RUNS, one thread each.
#   sh bench/bench_tokenize.sh [RUNS]        (from the top of the tree)
# Needs: make; node + `cd bench && npm install` (tiktoken@1.0.22).
set -e
runs=${1:-5}
data=${SLUICE_BENCH_DATA:-/work/shared/data/tokenizers}
PKGS="libpcre2-8 jansson libxxhash"
[ -d bench/node_modules/tiktoken ] || (cd bench && npm install --no-audit --no-fund)
make -s build/libsluice.a
cc -O2 -std=gnu11 -D_GNU_SOURCE -o build/bench_bpe bench/bench_bpe.c \
	build/libsluice.a $(pkg-config --libs $PKGS) -lpthread
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "cpu: $cpu; runs: best of $runs"
printf '%-12s %-18s %10s %10s %10s %8s %s\n' encoding file tokens \
	"sluice MB/s" "tiktoken MB/s" ratio same
st=0
for enc in cl100k_base o200k_base; do
	for f in en_vimdoc_1mb.txt zh_cold_2mb.txt; do
		ours=$(./build/bench_bpe $enc "$data/$f" "$runs")
		ref=$(cd bench && node tiktoken_encode.mjs $enc "$data/$f" "$runs")
		ot=$(echo "$ours" | sed 's/.*tokens=\([0-9]*\).*/\1/')
		rt=$(echo "$ref" | sed 's/.*tokens=\([0-9]*\).*/\1/')
		om=$(echo "$ours" | sed 's/.*mbps=\([0-9.]*\).*/\1/')
		rm=$(echo "$ref" | sed 's/.*mbps=\([0-9.]*\).*/\1/')
		ratio=$(echo "$om $rm" | awk '{printf "%.2fx", $1 / $2}')
		same=no
		[ "$ot" = "$rt" ] && same=yes
		[ "$same" = yes ] || st=1
		printf '%-12s %-18s %10s %10s %10s %8s %s\n' $enc $f $ot $om $rm \
			$ratio $same
	done
done
# same ids, not only the same count: the CLI against the reference
for enc in cl100k_base o200k_base; do
	for f in en_vimdoc_1mb.txt zh_cold_2mb.txt; do
		./sluice tokenize -t $enc < "$data/$f" > build/bench_ids_ours
		(cd bench && node -e '
const {get_encoding} = require("tiktoken");
const t = require("fs").readFileSync(process.argv[2], "utf8");
process.stdout.write(Array.from(get_encoding(process.argv[1]).encode_ordinary(t)).join(" ") + "\n");
' $enc "$data/$f") > build/bench_ids_ref
		if cmp -s build/bench_ids_ours build/bench_ids_ref; then
			echo "ids identical: $enc $f"
		else
			echo "IDS DIFFER: $enc $f"; st=1
		fi
	done
done
# worst case: one 100 kB piece with nothing to split on
head -c 100000 /dev/zero | tr '\0' a > build/bench_aaaa.txt
ours=$(./build/bench_bpe cl100k_base build/bench_aaaa.txt 1)
ref=$(cd bench && node tiktoken_encode.mjs cl100k_base ../build/bench_aaaa.txt 1)
echo "worst case 'a' x 100000, cl100k_base: sluice $(echo "$ours" | sed 's/.*seconds=\([0-9.]*\).*/\1/') s, tiktoken $(echo "$ref" | sed 's/.*seconds=\([0-9.]*\).*/\1/') s"
load=$(./build/bench_bpe o200k_base build/bench_aaaa.txt 1 | sed 's/.*load=//')
echo "bpe_open(o200k_base) from the embedded file: $load s"
exit $st
