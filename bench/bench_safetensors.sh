#!/bin/sh
# bench_safetensors.sh: how long safetensors_open() takes on a 100 MB model
# file (it maps the file and validates the header; tensor bytes are not
# read).  No peer: the figure to compare with is reading 100 MB, shown by
# the to_f32 pass.  Run from the top of the tree after `make`.
set -e
make --no-print-directory build/libsluice.a >/dev/null
out=${TMPDIR:-/tmp}/sluice-bench-st.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
cc -O2 -D_GNU_SOURCE -o "$out/open" bench/safetensors_open.c \
   build/libsluice.a $(pkg-config --libs jansson libxxhash) -lm
for n in 1 100 1000; do
	"$out/open" "$out/m.safetensors" "$n"
done
