#!/bin/sh
# docs_screenshot.sh: the screenshot of `sluice report --html` the README
# shows (docs/report.png).  Not part of `make check`: it needs Chromium
# (Debian package `chromium`: apt-get install -y chromium).
#
# Builds a store from the bundled sample with two `sluice run`s (so the run
# history has something to show), writes the report, and renders it with
# headless Chromium with every network feature off: the page is
# self-contained, and this machine talks to nothing but loopback.
#
#   sh bench/docs_screenshot.sh [OUT.png]     (default docs/report.png)
set -eu
SL=${SLUICE_BIN:-./sluice}
case $SL in /*) ;; *) SL=$(pwd)/$SL ;; esac
out=${1:-docs/report.png}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "docs_screenshot: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
[ -x "$SL" ] || make sluice

tmp=$(mktemp -d /tmp/sluice-shot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sample=$(pwd)/tests/data/sample/debian-faq.jsonl
cd "$tmp"
export SLUICE_DB="$tmp/demo.db"
cat > demo.ini <<'INI'
[import]
paths = part-*.jsonl

[filter.normalize]
[filter.exact]
[filter.minhash]
[filter.lines]

[export]
dir = corpus
INI
# two nights: the first brings most of the sample, the second the rest
head -n 200 "$sample" > part-1.jsonl
"$SL" run -q demo.ini
tail -n +201 "$sample" > part-2.jsonl
"$SL" run -q demo.ini
"$SL" run -q demo.ini		# nothing new: a run that does no work
"$SL" report --html report.html

mkdir -p "$(dirname "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking \
	--disable-component-update --disable-sync \
	--user-data-dir="$tmp/profile" --hide-scrollbars \
	--screenshot="$tmp/shot.png" --window-size=1200,2400 \
	"file://$tmp/report.html" 2>"$tmp/chromium.log" || {
	cat "$tmp/chromium.log" >&2; exit 1; }
# Shrink to fit the README's budget (< 300 KB) when Pillow is there;
# otherwise keep Chromium's PNG as it is.
python3 - "$tmp/shot.png" "$out" <<'EOF'
import shutil, sys
src, dst = sys.argv[1], sys.argv[2]
try:
    from PIL import Image
    im = Image.open(src).convert("RGB")
    im = im.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    im.save(dst, optimize=True)
except ImportError:
    shutil.copyfile(src, dst)
EOF
ls -l "$out"
