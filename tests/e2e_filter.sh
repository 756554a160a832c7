#!/bin/sh
# End-to-end: sluice filter / why / stats / export on the bundled sample:
# incremental runs, pipeline files, bad configuration, export of kept only.
. tests/lib.sh

expect_rc 0 "$SL" import tests/data/sample/debian-faq.jsonl
cat > "$T/p.ini" <<'INI'
# normalize, then exact dedup
[filter.normalize]
max_blank_lines = 1

[filter.exact]
INI
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_err "exact             309        297         12"
# every planted verbatim copy is caught (the sample has 12)
n=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE v.stage = 'exact' AND v.decision = 'drop' AND (d.id LIKE '%-mirror' OR json_extract(d.meta, '$.copy_of') IS NULL)")
[ "$n" = 12 ] || fail "exact dedup found $n of the 12 copies"
ok
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_err "exact               0          0          0"
expect_rc 0 "$SL" stats
expect_out "exact"
expect_out "duplicate"
dup=$(sqlite3 "$SLUICE_DB" "SELECT d.id FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE v.stage = 'exact' AND v.decision = 'drop' LIMIT 1")
expect_rc 0 "$SL" why "$dup"
expect_out "duplicate"
expect_out "dup_of"
expect_out "dropped (not exported)"
expect_rc 1 "$SL" why no-such-doc
# export leaves out the dropped and carries the normalized text
expect_rc 0 "$SL" export "$T/exp"
expect_err "exported 297 documents"
zstd -dc "$T/exp/documents/0000.jsonl.zst" | grep -c '"normalize":{"decision":"keep"' | grep -qx 297 || fail "attributes missing"
ok

# a rule file's word list is part of the stage's version: editing the list
# (not the rule file) makes the rules stage look at every document again
export SLUICE_DB="$T/words.db"
printf '{"id":"w1","text":"a plain sentence about a walrus and a teapot"}\n' > "$T/w.jsonl"
expect_rc 0 "$SL" import "$T/w.jsonl"
mkdir "$T/r"
printf 'zoo  text  flag  1  words  animals.txt\n' > "$T/r/zoo.rules"
printf 'giraffe\n' > "$T/r/animals.txt"
printf '[filter.rules]\nfiles = %s , %s\n' "$T/r/zoo.rules" "$T/r/zoo.rules" > "$T/w.ini"
expect_rc 2 "$SL" filter --pipeline "$T/w.ini"
expect_err "already defined"
printf '[filter.rules]\nfiles = %s\n' "$T/r/zoo.rules" > "$T/w.ini"
expect_rc 0 "$SL" filter --pipeline "$T/w.ini"
[ "$(sqlite3 "$SLUICE_DB" "SELECT decision FROM verdicts WHERE stage = 'rules'")" = keep ] || fail "rules before the edit"
printf 'giraffe\nwalrus\n' > "$T/r/animals.txt"
expect_rc 0 "$SL" filter --pipeline "$T/w.ini"
[ "$(sqlite3 "$SLUICE_DB" "SELECT decision, reason FROM verdicts WHERE stage = 'rules'")" = "flag|zoo" ] || fail "an edited word list did not rerun the rules"
ok
export SLUICE_DB="$T/s.db"

# bad configuration: exit 2, file:line, section and key
printf '[filter.exact]\nprefr = x\n' > "$T/bad.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad.ini"
expect_err "bad.ini:2: [filter.exact]: unknown option 'prefr'"
expect_rc 2 "$SL" filter --pipeline "$T/missing.ini"
expect_err "cannot open pipeline file"
expect_rc 2 "$SL" filter --shard 3/3
expect_rc 2 "$SL" filter --redo nosuch
expect_rc 0 "$SL" help filter
expect_out "[filter.normalize]"
expect_out "max_blank_lines"
# every stage and option in the help is documented in the README
for s in $("$SL" help filter | sed -n 's/^  \[filter\.\([a-z]*\)\].*/\1/p'); do
	grep -q "\[filter\.$s\]" README.md || fail "README.md lacks [filter.$s]"
done
for k in $("$SL" help filter | awk '/^    [a-z_]+ /{print $1}'); do
	grep -q "$k" README.md || fail "README.md lacks option $k"
done
ok
done_tests
