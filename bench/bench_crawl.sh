#!/bin/sh
# bench_crawl.sh [PAGES]: crawl a generated linked site of PAGES pages
# (default 10000) served by nginx on 127.0.0.1, politeness off, with
# `sluice crawl`, `wget --recursive` and Scrapy (python3-scrapy) one after
# the other on the same site; prints pages/s and max RSS of each and the
# ratios.  sluice also crawls a quarter-size site: its max RSS should stay
# flat.  Then the same three on a LAT_PAGES-page site (default 2000) whose
# every response is held back DELAY_MS ms (default 50; bench/delay_server.py),
# as from a server that far away: loopback has no latency to hide, a real
# network does.  Installs nginx, wget and python3-scrapy with apt-get when
# missing (as root).  Everything is written under bench/out/.
set -eu
pages=${1:-10000}
conc=${CONC:-16}
cd "$(dirname "$0")/.."
SL=${SLUICE_BIN:-./sluice}
case $SL in /*) ;; *) SL=$(pwd)/$SL ;; esac
out=$(pwd)/bench/out/crawl
mkdir -p "$out"

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || { echo "bench_crawl: install $2 (apt-get install $2)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" >/dev/null
}
[ -x /usr/sbin/nginx ] || need nginx nginx
need wget wget
python3 -c "import scrapy" 2>/dev/null || need scrapy python3-scrapy

site=$out/site-$pages
qsite=$out/site-$((pages / 4))
[ -s "$site/p/0.html" ] || python3 bench/gen_site.py "$pages" "$site"
[ -s "$qsite/p/0.html" ] || python3 bench/gen_site.py $((pages / 4)) "$qsite"

# nginx on a free port, config and logs under bench/out; stopped at exit.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$out/nginx.conf" <<EOF
# bench_crawl.sh: static files on loopback, no logs, long keep-alive.
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
daemon off;
pid $out/nginx.pid;
error_log $out/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $out/tmp-body;
	proxy_temp_path $out/tmp-proxy;
	fastcgi_temp_path $out/tmp-fastcgi;
	uwsgi_temp_path $out/tmp-uwsgi;
	scgi_temp_path $out/tmp-scgi;
	keepalive_requests 1000000;
	types { text/html html; }
	server {
		listen 127.0.0.1:$port;
		root $out;
	}
}
EOF
/usr/sbin/nginx -c "$out/nginx.conf" -e "$out/nginx-error.log" &
ngx=$!
trap 'kill $ngx 2>/dev/null || true' EXIT
i=0
until wget -q -O /dev/null "http://127.0.0.1:$port/site-$pages/p/0.html"; do
	i=$((i + 1)); [ $i -gt 50 ] && { cat "$out/nginx-error.log"; exit 1; }; sleep 0.1
done

# nginx's worker: its CPU seconds are the server's share of each run
wpid=$(pgrep -P $ngx | head -1)
hz=$(getconf CLK_TCK)
srv_cpu() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$wpid/stat; }

# seconds, max RSS (KiB) and CPU of a command, from /usr/bin/time -v, and
# the server's CPU seconds during it (srv)
measure() {
	s0=$(srv_cpu)
	/usr/bin/time -v "$@" 2>"$out/time.txt" >/dev/null || true
	srv=$(python3 -c "print(f'{$(srv_cpu) - $s0:.2f}')")
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$out/time.txt")
	cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$out/time.txt")
}
rate() { python3 -c "print(f'{$1 / $2:.1f}')"; }

base=http://127.0.0.1:$port
rm -f "$out"/crawl.db* "$out"/q.db*
measure "$SL" --db "$out/crawl.db" -q crawl --allow-net 127.0.0.1/32 --delay 0 \
	--concurrency "$conc" --per-host "$conc" --max-depth 1000000 "$base/site-$pages/p/0.html"
sl_s=$secs sl_rss=$rss sl_cpu=$cpu sl_srv=$srv
sl_n=$(sqlite3 "$out/crawl.db" "SELECT count(*) FROM fetches WHERE kind = 'page' AND status = 200")
sl_docs=$(sqlite3 "$out/crawl.db" "SELECT count(*) FROM docs")
measure "$SL" --db "$out/q.db" -q crawl --allow-net 127.0.0.1/32 --delay 0 \
	--concurrency "$conc" --per-host "$conc" --max-depth 1000000 "$base/site-$((pages / 4))/p/0.html"
q_rss=$rss

rm -rf "$out/wget"
measure wget --recursive --level=inf --no-parent -e robots=off -q -P "$out/wget" "$base/site-$pages/p/0.html"
wg_s=$secs wg_rss=$rss wg_cpu=$cpu wg_srv=$srv
wg_n=$(find "$out/wget" -name '*.html' | wc -l)

# libcurl alone: the site's URLs fetched 16 at a time and dropped, nothing
# parsed or stored; on loopback its CPU per page is a floor for any libcurl
# crawler.
cc -O2 -o "$out/fetch_floor" bench/fetch_floor.c $(pkg-config --cflags --libs libcurl)
i=0; while [ $i -lt "$pages" ]; do echo "$base/site-$pages/p/$i.html"; i=$((i + 1)); done > "$out/urls.txt"
measure "$out/fetch_floor" "$out/urls.txt" "$conc"
ff_s=$secs ff_cpu=$cpu ff_srv=$srv

rm -f "$out/scrapy.jsonl"
measure scrapy runspider bench/scrapy_spider.py -a start="$base/site-$pages/p/0.html" \
	-s CONCURRENT_REQUESTS="$conc" -s CONCURRENT_REQUESTS_PER_DOMAIN="$conc" -O "$out/scrapy.jsonl"
sc_s=$secs sc_rss=$rss sc_cpu=$cpu sc_srv=$srv
sc_n=$(wc -l < "$out/scrapy.jsonl")

# --- the same with DELAY_MS of latency per response --------------------------
lp=${LAT_PAGES:-2000} delay=${DELAY_MS:-50}
lsite=$out/site-$lp
[ -s "$lsite/p/0.html" ] || python3 bench/gen_site.py "$lp" "$lsite"
# a port file left by an earlier run must not be read before the server
# has written its own
rm -f "$out/delay.port"
python3 bench/delay_server.py "$out" "$delay" > "$out/delay.port" &
dsrv=$!
trap 'kill $ngx $dsrv 2>/dev/null || true' EXIT
i=0
until [ -s "$out/delay.port" ]; do i=$((i + 1)); [ $i -gt 50 ] && exit 1; sleep 0.1; done
lbase=http://127.0.0.1:$(cat "$out/delay.port")/site-$lp/p/0.html
rm -f "$out"/lat.db*
measure "$SL" --db "$out/lat.db" -q crawl --allow-net 127.0.0.1/32 --delay 0 \
	--concurrency "$conc" --per-host "$conc" --max-depth 1000000 "$lbase"
lsl_s=$secs lsl_n=$(sqlite3 "$out/lat.db" "SELECT count(*) FROM docs")
rm -rf "$out/wget-lat"
measure wget --recursive --level=inf --no-parent -e robots=off -q -P "$out/wget-lat" "$lbase"
lwg_s=$secs lwg_n=$(find "$out/wget-lat" -name '*.html' | wc -l)
rm -f "$out/scrapy-lat.jsonl"
measure scrapy runspider bench/scrapy_spider.py -a start="$lbase" \
	-s CONCURRENT_REQUESTS="$conc" -s CONCURRENT_REQUESTS_PER_DOMAIN="$conc" -O "$out/scrapy-lat.jsonl"
lsc_s=$secs lsc_n=$(wc -l < "$out/scrapy-lat.jsonl")
kill $dsrv 2>/dev/null || true

sl_r=$(rate "$sl_n" "$sl_s") wg_r=$(rate "$wg_n" "$wg_s") sc_r=$(rate "$sc_n" "$sc_s")
echo "site: $pages pages, nginx on 127.0.0.1; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end"
printf '%-8s %8s %8s %10s %8s %10s %12s\n' tool pages seconds pages/s "CPU s" "maxRSS MB" "nginx CPU s"
printf '%-8s %8s %8s %10s %8s %10s %12s\n' sluice "$sl_n" "$sl_s" "$sl_r" "$sl_cpu" $((sl_rss / 1024)) "$sl_srv"
printf '%-8s %8s %8s %10s %8s %10s %12s\n' wget "$wg_n" "$wg_s" "$wg_r" "$wg_cpu" $((wg_rss / 1024)) "$wg_srv"
printf '%-8s %8s %8s %10s %8s %10s %12s\n' scrapy "$sc_n" "$sc_s" "$sc_r" "$sc_cpu" $((sc_rss / 1024)) "$sc_srv"
printf '%-8s %8s %8s %10s %8s %10s %12s\n' libcurl "$pages" "$ff_s" "$(rate "$pages" "$ff_s")" "$ff_cpu" - "$ff_srv"
echo "sluice stored $sl_docs documents (main text extracted, zstd, SQLite); concurrency $conc"
echo "sluice vs scrapy: $(rate "$sl_r" "$sc_r")x pages/s; vs wget: $(rate "$sl_r" "$wg_r")x"
echo "libcurl alone (bench/fetch_floor.c, fetch and drop): $(rate "$(rate "$pages" "$ff_s")" "$wg_r")x wget"
echo "sluice max RSS: $((sl_rss / 1024)) MB at $pages pages, $((q_rss / 1024)) MB at $((pages / 4)) pages"
# On loopback both sides are CPU-bound on the same cores: the most pages/s
# any client can reach is cores / (its CPU per page + the server's).
python3 - "$(nproc)" "$sl_n" "$sl_cpu" "$sl_srv" "$wg_n" "$wg_cpu" "$wg_srv" "$wg_r" "$pages" "$ff_cpu" "$ff_srv" <<'PY'
import sys
cores, sn, sc, ss, wn, wc, ws, wr, fn, fc, fs = map(float, sys.argv[1:])
s_pp, n_pp, w_pp = sc / sn * 1e3, ss / sn * 1e3, wc / wn * 1e3
print(f"CPU ms per page: sluice {s_pp:.3f} + nginx {n_pp:.3f}; wget {w_pp:.3f} + nginx {ws / wn * 1e3:.3f}")
print(f"ceiling on {cores:.0f} cores: sluice {cores / (s_pp + n_pp) * 1e3:.0f} pages/s; "
      f"10x wget needs {10 * wr:.0f} pages/s, i.e. at most {cores / (10 * wr) * 1e3 - n_pp:.3f} ms of client CPU per page")
f_pp, fn_pp = fc / fn * 1e3, fs / fn * 1e3
print(f"libcurl alone: {f_pp:.3f} ms client CPU per page + nginx {fn_pp:.3f}; "
      f"left for parsing, extraction and storage at 10x wget: "
      f"{cores / (10 * wr) * 1e3 - fn_pp - f_pp:.3f} ms per page")
PY
lsl_r=$(rate "$lsl_n" "$lsl_s") lwg_r=$(rate "$lwg_n" "$lwg_s") lsc_r=$(rate "$lsc_n" "$lsc_s")
echo
echo "with $delay ms per response ($lp pages, bench/delay_server.py):"
printf '%-8s %8s %8s %10s\n' tool pages seconds pages/s
printf '%-8s %8s %8s %10s\n' sluice "$lsl_n" "$lsl_s" "$lsl_r"
printf '%-8s %8s %8s %10s\n' wget "$lwg_n" "$lwg_s" "$lwg_r"
printf '%-8s %8s %8s %10s\n' scrapy "$lsc_n" "$lsc_s" "$lsc_r"
echo "sluice vs scrapy: $(rate "$lsl_r" "$lsc_r")x pages/s; vs wget: $(rate "$lsl_r" "$lwg_r")x"
