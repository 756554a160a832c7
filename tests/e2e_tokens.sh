#!/bin/sh
# End-to-end: sluice export --format tokens: shards read back by an
# independent numpy reader (tests/read_shards.py), ids equal to what
# `sluice tokenize` gives each kept document, both dtypes, EOT placement,
# reproducibility, a split that is stable when documents are added, mix
# weights, --min-tokens, stale shards removed, bad options.
. tests/lib.sh
PY=/usr/bin/python3
cp tests/data/sample/debian-faq.jsonl "$T/a.jsonl"
expect_rc 0 "$SL" import "$T/a.jsonl"
expect_rc 0 "$SL" filter -q

# r50k_base fits uint16; the ids of every document equal sluice tokenize's
expect_rc 0 "$SL" export --format tokens --tokenizer r50k_base --val-fraction 0.05 --shard-tokens 20000 "$T/t1"
$PY tests/read_shards.py "$T/t1" > "$T/docs1.jsonl" || fail "reader rejected the shards"
ok
grep -q '"dtype": "uint16"' "$T/t1/manifest.json" || fail "r50k not uint16"
ok
sqlite3 "$SLUICE_DB" "SELECT id FROM docs d WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc = d.rowid AND v.decision = 'drop')" > "$T/kept"
[ "$(wc -l < "$T/docs1.jsonl")" = "$(wc -l < "$T/kept")" ] || fail "documents: $(wc -l < "$T/docs1.jsonl") exported, $(wc -l < "$T/kept") kept"
ok
: > "$T/want"
while read -r id; do
	"$SL" show --json "$id" | $PY -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["text"])' |
		"$SL" tokenize --tokenizer r50k_base >> "$T/want"
done < "$T/kept"
$PY - "$T/docs1.jsonl" "$T/want" <<'PY' || fail "exported ids differ from sluice tokenize"
import json, sys
got = sorted(" ".join(map(str, json.loads(l)["ids"])) for l in open(sys.argv[1]))
want = sorted(l.strip() for l in open(sys.argv[2]))
assert got == want, (len(got), len(want))
PY
ok
# several shards, val first
grep -q sluice_val_000000.bin "$T/t1/manifest.json" && grep -q sluice_train_000002.bin "$T/t1/manifest.json" || fail "shard names"
ok

# cl100k_base needs uint32 (llm.c's version 7); --eot after
expect_rc 0 "$SL" export --format tokens --eot after --name web "$T/t2"
$PY tests/read_shards.py "$T/t2" > /dev/null || fail "uint32 shards"
grep -q '"dtype": "uint32"' "$T/t2/manifest.json" && grep -q '"eot": "after"' "$T/t2/manifest.json" || fail "manifest"
ok
grep -q '"ranks_sha256": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"' "$T/t2/manifest.json" || fail "rank file sha256"
ok

# the same store and options give byte-identical files
expect_rc 0 "$SL" export --format tokens --tokenizer r50k_base --val-fraction 0.05 --shard-tokens 20000 "$T/t1b"
for f in "$T"/t1/*; do cmp -s "$f" "$T/t1b/$(basename "$f")" || fail "$(basename "$f") differs"; done
ok
# a smaller export removes the shards it no longer writes
expect_rc 0 "$SL" export --format tokens --tokenizer r50k_base --val-fraction 0.05 "$T/t1b"
[ ! -e "$T/t1b/sluice_train_000002.bin" ] || fail "stale shard left"
[ -e "$T/t1b/sluice_train_000001.bin" ] || fail "shard missing"
ok

# the split is stable when documents are added: old val docs stay val
$PY -c "
import json
with open('$T/b.jsonl', 'w') as f:
    for i in range(200):
        f.write(json.dumps({'id': 'extra-%d' % i, 'text': 'Extra document number %d about rivers and stones.' % i}) + '\n')
"
expect_rc 0 "$SL" import "$T/b.jsonl"
expect_rc 0 "$SL" export --format tokens --tokenizer r50k_base --val-fraction 0.05 --shard-tokens 20000 "$T/t3"
$PY tests/read_shards.py "$T/t3" > "$T/docs3.jsonl" || fail "reader"
$PY - "$T/docs1.jsonl" "$T/docs3.jsonl" <<'PY' || fail "split moved documents"
import json, sys
def split(p):
    d = {}
    for l in open(p):
        x = json.loads(l); d[" ".join(map(str, x["ids"]))] = x["split"]
    return d
a, b = split(sys.argv[1]), split(sys.argv[2])
assert all(b[k] == v for k, v in a.items()), "a document changed sides"
assert sum(v == "val" for v in b.values()) > sum(v == "val" for v in a.values())
PY
ok

# mix weights: mirror x3, debian-faq x0.5
n_faq=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM docs d WHERE source = 'debian-faq' AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc = d.rowid AND v.decision = 'drop')")
expect_rc 0 "$SL" export --format tokens --source debian-faq --mix debian-faq=0.5 "$T/t4"
got=$($PY -c "import json; print(json.load(open('$T/t4/manifest.json'))['totals']['documents'])")
$PY -c "import sys; n, g = $n_faq, $got; sys.exit(0 if abs(g - n / 2) <= 0.2 * n else 1)" || fail "mix 0.5 gave $got of $n_faq"
ok
n_mirror=$(sqlite3 "$SLUICE_DB" "SELECT count(*) FROM docs d WHERE source = 'mirror' AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.doc = d.rowid AND v.decision = 'drop')")
expect_rc 0 "$SL" export --format tokens --source mirror --mix mirror=3 "$T/t5"
got=$($PY -c "import json; print(json.load(open('$T/t5/manifest.json'))['totals']['documents'])")
[ "$got" = $((n_mirror * 3)) ] || fail "mix 3 gave $got, want $((n_mirror * 3))"
ok
# --min-tokens leaves out short documents
expect_rc 0 "$SL" export --format tokens --min-tokens 20 "$T/t6"
expect_err "under --min-tokens skipped"
grep -q '"skipped_short": 0' "$T/t6/manifest.json" && fail "nothing skipped"
ok
# Megatron's indexed dataset, parsed field by field as Megatron reads it
expect_rc 0 "$SL" export --format megatron --tokenizer r50k_base --val-fraction 0.05 "$T/m"
$PY - "$T/m" "$T/docs3.jsonl" <<'PY' || fail "megatron files"
import json, os, struct, sys
import numpy as np
d = sys.argv[1]
man = json.load(open(os.path.join(d, "manifest.json")))
assert man["format"] == "megatron" and man["eot"] == "after", man
eot = man["tokenizer"]["eot_id"]
docs = []
for split in ("val", "train"):
    idx = open(os.path.join(d, f"sluice_{split}.idx"), "rb").read()
    assert idx[:9] == b"MMIDIDX\x00\x00"
    version, = struct.unpack("<Q", idx[9:17]); assert version == 1
    code = idx[17]; assert code == 8, code            # uint16 for r50k
    nseq, ndoc = struct.unpack("<QQ", idx[18:34]); assert ndoc == nseq + 1
    off = 34
    sizes = np.frombuffer(idx, np.int32, nseq, off); off += 4 * nseq
    ptrs = np.frombuffer(idx, np.int64, nseq, off); off += 8 * nseq
    doc_idx = np.frombuffer(idx, np.int64, ndoc, off); off += 8 * ndoc
    assert off == len(idx), (off, len(idx))
    assert list(doc_idx) == list(range(ndoc))
    bin_ = np.memmap(os.path.join(d, f"sluice_{split}.bin"), np.uint16, "r")
    assert sizes.sum() == len(bin_)
    for sz, p in zip(sizes, ptrs):
        toks = bin_[p // 2: p // 2 + sz]
        assert toks[-1] == eot
        docs.append(" ".join(map(str, toks[:-1])))
    ent = [s for s in man["shards"] if s["split"] == split][0]
    assert ent["documents"] == nseq
# the same documents as the llm.c export of the same selection
want = sorted(" ".join(map(str, json.loads(l)["ids"])) for l in open(sys.argv[2]))
assert sorted(docs) == want
PY
ok

# bad options
expect_rc 2 "$SL" export --format tokens --eot middle "$T/x"
expect_rc 2 "$SL" export --format tokens --mix nonsense "$T/x"
expect_rc 1 "$SL" export --format tokens --tokenizer /nonexistent.tiktoken "$T/x"
done_tests
