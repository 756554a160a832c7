#!/bin/sh
# End-to-end: sluice tokenizer train on the sample store: the files load
# back through --tokenizer, the vocabulary size is exact, tokenize and
# --decode round-trip every kept document, export --format tokens uses it,
# a rerun is byte-identical, and it compresses (bytes per token) better
# than bytes alone and better than a smaller vocabulary.
. tests/lib.sh
PY=/usr/bin/python3
cp tests/data/sample/debian-faq.jsonl "$T/a.jsonl"
expect_rc 0 "$SL" import "$T/a.jsonl"
expect_rc 0 "$SL" filter -q

expect_rc 0 "$SL" tokenizer train --vocab 2000 "$T/tok.tiktoken"
expect_err "2000 ids"
[ -s "$T/tok.tiktoken" ] && [ -s "$T/tok.json" ] || fail "files not written"
ok
[ "$(wc -l < "$T/tok.tiktoken")" = 1999 ] || fail "rank lines: $(wc -l < "$T/tok.tiktoken"), want 1999"
ok
grep -q '"explicit_n_vocab": 2000' "$T/tok.json" && grep -q '"<|endoftext|>": 1999' "$T/tok.json" || fail "json"
ok
# ranks 0..255 are the bytes in order: rank 65 is "A" (QQ==)
sed -n 66p "$T/tok.tiktoken" | grep -qx 'QQ== 65' || fail "byte ranks"
ok

# every kept document round-trips through the CLI
sqlite3 "$SLUICE_DB" "SELECT id FROM docs d WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc = d.rowid AND v.decision = 'drop')" > "$T/kept"
: > "$T/all.txt"
n=0
while read -r id; do
	"$SL" show --json "$id" | $PY -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["text"])' > "$T/doc"
	cat "$T/doc" >> "$T/all.txt"
	"$SL" tokenize --tokenizer "$T/tok.tiktoken" < "$T/doc" > "$T/ids" || fail "tokenize $id"
	"$SL" tokenize --tokenizer "$T/tok.tiktoken" --decode < "$T/ids" > "$T/back" || fail "decode $id"
	cmp -s "$T/doc" "$T/back" || fail "round trip of $id"
	n=$((n + 1))
done < "$T/kept"
[ "$n" -gt 100 ] || fail "only $n kept documents"
ok
# Chinese (not in the corpus) still round-trips, through byte tokens
printf '\344\270\255\346\226\207 text \377\n' > "$T/zh"
"$SL" tokenize --tokenizer "$T/tok.tiktoken" < "$T/zh" | "$SL" tokenize --tokenizer "$T/tok.tiktoken" --decode > "$T/zhb"
cmp -s "$T/zh" "$T/zhb" || fail "round trip of unseen text"
ok

# compression: bytes per token
bytes=$(wc -c < "$T/all.txt")
t2000=$("$SL" tokenize --count --tokenizer "$T/tok.tiktoken" < "$T/all.txt")
expect_rc 0 "$SL" tokenizer train --vocab 500 "$T/small.tiktoken"
t500=$("$SL" tokenize --count --tokenizer "$T/small.tiktoken" < "$T/all.txt")
tcl=$("$SL" tokenize --count --tokenizer cl100k_base < "$T/all.txt")
echo "bytes/token: vocab 2000 $($PY -c "print(round($bytes/$t2000, 2))"), vocab 500 $($PY -c "print(round($bytes/$t500, 2))"), cl100k_base $($PY -c "print(round($bytes/$tcl, 2))") ($bytes bytes)"
[ $((t2000 * 3)) -lt "$bytes" ] || fail "vocab 2000: $t2000 tokens for $bytes bytes"
ok
[ "$t2000" -lt "$t500" ] || fail "vocab 2000 ($t2000) not better than 500 ($t500)"
ok

# the same store and options give byte-identical files
expect_rc 0 "$SL" tokenizer train --vocab 2000 "$T/again.tiktoken"
cmp -s "$T/tok.tiktoken" "$T/again.tiktoken" && cmp -s "$T/tok.json" "$T/again.json" || fail "rerun differs"
ok
# other regexes and filters
expect_rc 0 "$SL" tokenizer train --vocab 300 --regex o200k --max-docs 10 --min-frequency 3 --max-words 1000 "$T/o.tiktoken"
expect_err "300 ids"
expect_rc 0 "$SL" tokenizer train --vocab 300 --regex r50k --source nosuchsource "$T/r.tiktoken"
expect_err "in 0 documents"

# export --format tokens with it (vocab 2000 fits uint16)
expect_rc 0 "$SL" export --format tokens --tokenizer "$T/tok.tiktoken" "$T/shards"
$PY tests/read_shards.py "$T/shards" > "$T/docs.jsonl" || fail "reader rejected the shards"
ok
grep -q '"dtype": "uint16"' "$T/shards/manifest.json" || fail "not uint16"
ok
$PY - "$T/docs.jsonl" <<'PY' || fail "ids out of the trained vocabulary"
import json, sys
m = max(max(json.loads(l)["ids"] or [0]) for l in open(sys.argv[1]))
assert m < 2000, m
PY
ok

# errors
expect_rc 2 "$SL" tokenizer train --vocab 256 "$T/x.tiktoken"
expect_err "bad --vocab"
expect_rc 2 "$SL" tokenizer train --regex p50k "$T/x.tiktoken"
expect_err "unknown --regex 'p50k'"
expect_rc 1 "$SL" tokenizer train --vocab 300 "$T/x.txt"
expect_err ".tiktoken"
expect_rc 2 "$SL" tokenizer fit
expect_err "unknown subcommand 'fit'"
expect_rc 2 "$SL" tokenizer
done_tests
