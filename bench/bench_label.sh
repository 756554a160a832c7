#!/bin/sh
# bench_label.sh [NDOCS] [DECISIONS]: keypress to next document drawn in
# `sluice label` (bench/bench_label.c) on a generated store (default
# 1,000,000 documents, made by bench_queue gen, 2000 decisions), and the
# text half (sanitize, wrap, draw) on 4 KB and 1 MB documents, then the
# whole loop through tmux (TMUX_KEYS keys, default 300).
# Goal (issue #6): the next document on screen within 16 ms.
set -eu
ndocs=${1:-1000000}
n=${2:-2000}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p $out
make build/libsluice.a >/dev/null
libs="$(pkg-config --libs sqlite3 libzstd zlib jansson libxxhash libpcre2-8 \
	libcurl libxml-2.0 libutf8proc uchardet libexttextcat liburiparser inih \
	ncursesw) -lpthread -lm"
cflags="-O2 -D_GNU_SOURCE $(pkg-config --cflags ncursesw)"
cc $cflags -o $out/bench_queue bench/bench_queue.c build/libsluice.a $libs
cc $cflags -o $out/bench_label bench/bench_label.c build/libsluice.a $libs
db=$out/label-$ndocs.db
if [ ! -s "$db" ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	$out/bench_queue gen "$db" "$ndocs"
fi
# start afresh: the task of an earlier run would be done
sqlite3 "$db" "DELETE FROM annotations; DELETE FROM reviews; DELETE FROM leases; DELETE FROM label_docs; DELETE FROM final_labels; DELETE FROM tasks"
ls -l "$db" | awk '{printf "store: %.0f MB, ", $5 / 1e6}'
echo "$ndocs documents; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
$out/bench_label run "$db" "$n"
$out/bench_label text

# The same through a real terminal: `sluice label` in tmux (80x24), a key
# sent with send-keys, then capture-pane polled until the next document's
# id is in the header.  The figure includes tmux's own work and the polling
# (one tmux client process per poll), so it is an upper bound.
sqlite3 "$db" "DELETE FROM annotations; DELETE FROM leases; DELETE FROM label_docs; DELETE FROM final_labels; DELETE FROM tasks"
./sluice --db "$db" task create bench_tmux --labels yes,no >/dev/null
sock=$out/tmux.sock
tmux -S $sock kill-server 2>/dev/null || true
tmux -u -S $sock -f /dev/null new-session -d -s b -x 80 -y 24 \
	"exec env LANG=C.UTF-8 TERM=screen ./sluice --db $db label --annotator bench bench_tmux"
python3 - "$sock" "${TMUX_KEYS:-300}" <<'PY'
import subprocess, sys, time
sock, n = sys.argv[1], int(sys.argv[2])
def header():
    return subprocess.run(["tmux", "-S", sock, "capture-pane", "-p", "-t", "b", "-E", "0"],
                          capture_output=True, text=True).stdout
def doc(h):
    p = h.split(" doc ")
    return p[1].split()[0] if len(p) > 1 else None
t_end = time.time() + 30
while doc(header()) is None:
    if time.time() > t_end: sys.exit("sluice label did not start")
    time.sleep(0.01)
ms = []
for i in range(n):
    before = doc(header())
    t0 = time.perf_counter()
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "b", "1"])
    t_end = time.time() + 30
    while doc(header()) == before:
        if time.time() > t_end: sys.exit("no next document after 30 s")
    ms.append((time.perf_counter() - t0) * 1e3)
ms.sort()
print("tmux: key -> next document in capture-pane  n=%d  mean %.2f  p50 %.2f  p99 %.2f  max %.2f ms"
      % (n, sum(ms) / n, ms[n // 2], ms[int(n * 0.99)], ms[-1]))
# the cost of the tmux calls alone, for scale (a key the UI ignores)
t0 = time.perf_counter()
for i in range(50): header()
t1 = time.perf_counter()
for i in range(50):
    subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "b", "F12"])
t2 = time.perf_counter()
print("tmux: one capture-pane call %.2f ms, one send-keys call %.2f ms"
      % ((t1 - t0) * 1e3 / 50, (t2 - t1) * 1e3 / 50))
PY
tmux -S $sock send-keys -t b q
tmux -S $sock kill-server 2>/dev/null || true
