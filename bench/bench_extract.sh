#!/bin/sh
# bench_extract.sh: main-text extraction on the article-extraction-benchmark
# development set (61 pages, /work/shared/data/extraction/dev), sluice side
# by side with readability.js (@mozilla/readability on linkedom, from npm
# into bench/node_modules) and readability-lxml (Debian python3-readability)
# when they are installed.  Scores with bench/score_extract.py (the
# benchmark's protocol) and prints pages/s.
#
#   sh bench/bench_extract.sh [DATA_DIR]
#
# Two figures for sluice: "cli" runs one `sluice extract` process per page
# (start-up, gunzip, charset detection included); "in-process"
# (bench/extract_speed.c) times charset detection + conversion + extraction
# over pages already in memory, as the peers are timed (their extraction
# call inside one long-running process).
set -eu
data=${1:-/work/shared/data/extraction/dev}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/bench/out/extract
bin=${SLUICE_BIN:-$top/sluice}
rm -rf "$out"
mkdir -p "$out/sluice" "$out/readability_js" "$out/readability_lxml"
[ -x "$bin" ] || make -C "$top" sluice >/dev/null

n=$(wc -l < "$data/ids.txt")
start=$(date +%s.%N)
while read -r id; do
	"$bin" extract "$data/html/$id.html.gz" > "$out/sluice/$id.txt"
done < "$data/ids.txt"
end=$(date +%s.%N)
pps=$(echo "$n $start $end" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
printf 'sluice (cli)      %s pages/s  ' "$pps"
python3 "$top/bench/score_extract.py" "$data/ground-truth.json" "$out/sluice"
make -C "$top" -s build/libsluice.a
cc -O2 -D_GNU_SOURCE $(pkg-config --cflags libxml-2.0 uchardet) \
	-o "$out/extract_speed" "$top/bench/extract_speed.c" \
	"$top/build/libsluice.a" \
	$(pkg-config --libs libxml-2.0 uchardet libxxhash zlib)
set -- $("$out/extract_speed" "$data/ids.txt" "$data/html" 5)
echo "sluice (in-process) $1 pages/s, $2 MB/s of HTML"

if [ -d "$top/bench/node_modules/@mozilla/readability" ]; then
	pps=$(NODE_PATH="$top/bench/node_modules" node \
		"$top/bench/peer_readability.js" "$data/ids.txt" "$data/html" \
		"$out/readability_js")
	printf 'readability.js    %s pages/s  ' "$pps"
	python3 "$top/bench/score_extract.py" "$data/ground-truth.json" \
		"$out/readability_js"
else
	echo "readability.js: not installed (cd bench && npm install --no-save --prefix . @mozilla/readability linkedom)"
fi
if /usr/bin/python3 -c 'import readability' 2>/dev/null; then
	pps=$(/usr/bin/python3 "$top/bench/peer_readability_lxml.py" \
		"$data/ids.txt" "$data/html" "$out/readability_lxml")
	printf 'readability-lxml  %s pages/s  ' "$pps"
	python3 "$top/bench/score_extract.py" "$data/ground-truth.json" \
		"$out/readability_lxml"
else
	echo "readability-lxml: not installed (apt-get install python3-readability)"
fi
