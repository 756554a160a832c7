#!/bin/sh
# e2e_tokenize.sh: `sluice tokenize` through the binary: known tiktoken ids
# for each built-in encoding, special tokens off and on, --count, --decode
# round trip (including bytes that are not UTF-8), and the error paths.
: "${SLUICE_BIN:=./sluice}"
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

check() {	# check NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: want '$2', got '$3'"
		fail=1
	fi
}

# ids from npm tiktoken 1.0.22 (tests/data/tokenizers/golden_encode.jsonl)
check "cl100k default" "9906 1917" "$(printf 'Hello world' | "$SLUICE_BIN" tokenize)"
check "cl100k special as text" "64 27 91 8862 728 428 91 29 65" \
	"$(printf 'a<|endoftext|>b' | "$SLUICE_BIN" tokenize --tokenizer cl100k_base)"
check "cl100k --allow-special" "64 100257 65" \
	"$(printf 'a<|endoftext|>b' | "$SLUICE_BIN" tokenize --allow-special)"
check "gpt2" "15496 995" "$(printf 'Hello world' | "$SLUICE_BIN" tokenize -t gpt2)"
check "r50k newlines" "628 198" "$(printf '\n\n\n' | "$SLUICE_BIN" tokenize -t r50k_base)"
check "o200k" "13225 2375" "$(printf 'Hello world' | "$SLUICE_BIN" tokenize -t o200k_base)"
check "o200k eot" "199999" "$(printf '<|endoftext|>' | "$SLUICE_BIN" tokenize -t o200k_base --allow-special)"
check "--count" "2" "$(printf 'Hello world' | "$SLUICE_BIN" tokenize --count)"
check "empty input" "" "$(printf '' | "$SLUICE_BIN" tokenize)"
check "--decode" "Hello world<|endoftext|>" \
	"$(echo '9906, 1917 100257' | "$SLUICE_BIN" tokenize --decode)"

# round trip of a mixed text with invalid UTF-8, byte for byte
printf 'caf\303\251 \377\376 \344\270\255\346\226\207 <|endoftext|>\n\n  x\r\n' > "$tmp/in"
for enc in cl100k_base o200k_base r50k_base; do
	"$SLUICE_BIN" tokenize -t $enc < "$tmp/in" > "$tmp/ids" &&
	"$SLUICE_BIN" tokenize -t $enc --decode < "$tmp/ids" > "$tmp/out"
	if cmp -s "$tmp/in" "$tmp/out"; then echo "ok   round trip $enc"
	else echo "FAIL round trip $enc"; fail=1; fi
done

# streaming: 1.4 MB in blocks cut at newlines (so it fits a 1200k
# --max-input), ids identical to npm tiktoken 1.0.22's for the whole text
# (sha256 of its ids joined by spaces, newline-terminated)
sed 's/^/line /' tests/data/tokenizers/golden_encode.jsonl > "$tmp/big"
for pair in cl100k_base:730994:2f8029120ac8d3979a1e76c135f5797efcea9b4b59099a0c60403ee5d6a9168e \
	    o200k_base:718686:4bf91d8054a17c2ac8c317ff1c1740998535b38c0c8bcf02bf277eedc75b1260 \
	    r50k_base:764075:cb0524cac21acdf542a6069d8dcafa9b7d78a79756d8a2c1c881b547d2fe596c; do
	enc=${pair%%:*}; rest=${pair#*:}; n=${rest%%:*}; sum=${rest#*:}
	check "stream $enc count" "$n" \
		"$("$SLUICE_BIN" tokenize -t $enc --count --max-input 1200k < "$tmp/big")"
	got=$("$SLUICE_BIN" tokenize -t $enc --max-input 1200k < "$tmp/big" | sha256sum)
	check "stream $enc ids" "$sum" "${got%% *}"
done

# errors: exit status and message
echo 100256 | "$SLUICE_BIN" tokenize --decode > /dev/null 2> "$tmp/err"
check "unknown id exits 1" "1" "$?"
grep -q "unknown token id 100256" "$tmp/err" || { echo "FAIL unknown id message"; fail=1; }
echo 12x | "$SLUICE_BIN" tokenize --decode > /dev/null 2>&1
check "bad id exits 1" "1" "$?"
"$SLUICE_BIN" tokenize --no-such-option < /dev/null > /dev/null 2>&1
check "bad option exits 2" "2" "$?"
"$SLUICE_BIN" tokenize -t p50k_base < /dev/null > /dev/null 2>&1
check "unknown tokenizer exits 1" "1" "$?"
printf 'abcdef' | "$SLUICE_BIN" tokenize --max-input 4 > /dev/null 2>&1
check "input over --max-input exits 1" "1" "$?"

exit $fail
