#!/bin/sh
# End-to-end security checks (the hardening issue's list) that the other
# drivers do not already make: a hostname that resolves to refused
# loopback, redirects to file/ftp/gopher/data URLs, a zstd bomb over HTTP
# and in an imported file, shard names that try to leave the output
# folder, rule names with quotes, and SQL in page text stored verbatim.
# Private, link-local and metadata ranges are covered by test_netguard (no
# traffic leaves 127.0.0.1 here).
. tests/lib.sh

head -c 300000000 /dev/zero | zstd -q -19 -o "$T/bomb.zst" || fail "zstd"
python3 tests/hostile_server.py "$T/hits" "$T/bomb.zst" >"$T/port" 2>"$T/server.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
i=0
until grep -q '^ready' "$T/port" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { cat "$T/server.err" >&2; fail "server did not start"; }
	sleep 0.05
done
PORT=$(head -n 1 "$T/port")
M=http://127.0.0.1:$PORT
q() { sqlite3 "$SLUICE_DB" "$1"; }
expect_q() {
	got=$(q "$1")
	[ "$got" = "$2" ] || fail "$1: got '$got', want '$2'"
	ok
}
hits() { grep -c "^$1\$" "$T/hits" 2>/dev/null || true; }

# --- a hostname resolving to loopback is refused on the connected address --
export SLUICE_DB="$T/host.db"
expect_rc 0 "$SL" crawl --delay 0 --max-depth 0 "http://localhost:$PORT/"
expect_q "SELECT outcome FROM fetches WHERE kind = 'robots'" "refused"
[ "$(hits /robots.txt)" = 0 ] || fail "the server saw a request for localhost"
[ "$(hits /)" = 0 ] || fail "the server saw a request for localhost"
ok

# --- only http and https, for seeds and for every redirect ------------------
export SLUICE_DB="$T/scheme.db"
for u in file:///etc/passwd gopher://127.0.0.1/ "data:text/html,hi" \
	 "javascript:alert(1)"; do
	expect_rc 1 "$SL" crawl --allow-net 127.0.0.1/32 "$u"
	expect_err "bad seed"
done
expect_rc 0 "$SL" crawl --allow-net 127.0.0.1/32 --scope any --delay 0 \
	--max-depth 0 "$M/to-file" "$M/to-ftp" "$M/to-gopher" "$M/to-data"
expect_q "SELECT count(*) FROM docs" 0
expect_q "SELECT count(*) FROM fetches WHERE url NOT LIKE 'http://127.0.0.1:%'" 0
expect_q "SELECT count(*) FROM frontier WHERE url NOT LIKE 'http%'" 0
expect_q "SELECT count(*) FROM frontier WHERE reason LIKE 'bad redirect target: % unsupported scheme %'" 4
grep -q "root:x:0:0" "$SLUICE_DB" && fail "/etc/passwd was read"
ok

# --- a zstd bomb stops at --max-bytes, decompressed -------------------------
export SLUICE_DB="$T/bomb.db"
/usr/bin/time -f %M -o "$T/rss" "$SL" crawl --allow-net 127.0.0.1/32 --delay 0 \
	--max-depth 0 --max-bytes 2M "$M/zbomb" 2>"$T/err" || fail "crawl of the bomb failed"
expect_q "SELECT outcome, bytes FROM fetches WHERE url = '$M/zbomb'" "toobig|2097152"
rss=$(tail -n 1 "$T/rss")
[ "$rss" -lt 200000 ] || fail "the zstd bomb took $rss KB"
ok
# ... and in an imported file: one 300 MB line, refused at the line cap
export SLUICE_DB="$T/import.db"
cp "$T/bomb.zst" "$T/bomb.jsonl.zst"
/usr/bin/time -f %M -o "$T/rss" "$SL" import "$T/bomb.jsonl.zst" 2>"$T/err"
grep -qF "bomb.jsonl.zst:1: line longer than the cap" "$T/err" || { cat "$T/err"; fail "bomb import error"; }
rss=$(tail -n 1 "$T/rss")
[ "$rss" -lt 300000 ] || fail "the zstd bomb import took $rss KB"
ok

# --- SQL and quotes in page text are data -----------------------------------
export SLUICE_DB="$T/sql.db"
expect_rc 0 "$SL" crawl --allow-net 127.0.0.1/32 --delay 0 --max-depth 0 "$M/sql"
expect_q "SELECT count(*) FROM docs" 1
"$SL" show "$M/sql" >"$T/out" 2>&1 || "$SL" show "$(q 'SELECT id FROM docs')" >"$T/out"
expect_out "Robert'); DROP TABLE docs;-- said \"hello\""
cat > "$T/sql.rules" <<'R'
bobby  text  flag  1  regex  '\); DROP TABLE (\w+);--
R
cat > "$T/p.ini" <<I
[filter.rules]
files = $T/sql.rules
I
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_q "SELECT decision, reason FROM verdicts WHERE stage = 'rules'" "flag|bobby"
expect_q "SELECT count(*) FROM docs" 1
# rule names are identifiers: quotes are refused with file:line
printf "x');DROP  text  flag  1  regex  a\n" > "$T/bad.rules"
printf "[filter.rules]\nfiles = %s\n" "$T/bad.rules" > "$T/bad.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad.ini"
expect_err "bad.rules' line 1: bad rule name"

# --- export names cannot leave the output folder -----------------------------
mkdir "$T/o"
for n in ../evil a/b /abs "" .hidden "x\ny" "a b"; do
	expect_rc 2 "$SL" export --format tokens --name "$n" "$T/o/x"
	expect_err "bad --name"
done
[ -z "$(ls "$T" | grep evil)" ] || fail "a file escaped the output folder"
ok
done_tests
