#!/bin/sh
# End-to-end: sluice train / classify and the classify stage on the bundled
# synthetic topic task (tests/data/classify): per-epoch dev metrics, the
# model file, scoring from stdin, --eval, file:line errors, the stage's
# verdicts and details, incremental re-runs, re-scoring after retraining,
# and the cascade.
. tests/lib.sh

D=tests/data/classify
M="$T/m.safetensors"

# train: per-epoch loss and dev metrics, the file written
expect_rc 0 "$SL" train --data "$D/train.tsv" --dev "$D/dev.tsv" --out "$M" --epochs 10 --lr 0.5
expect_err "train: 160 examples"
expect_err "epoch 10 loss"
expect_err "macro-F1"
expect_err "wrote '$T/m.safetensors' (linear"
[ -s "$M" ] || fail "no model file"
ok
# same data, same seed: the same bytes
expect_rc 0 "$SL" train --data "$D/train.tsv" --out "$T/m2.safetensors" --epochs 10 --lr 0.5 --dev-fraction 0.2
expect_rc 0 "$SL" train --data "$D/train.tsv" --out "$T/m3.safetensors" --epochs 10 --lr 0.5 --dev-fraction 0.2
cmp -s "$T/m2.safetensors" "$T/m3.safetensors" || fail "training is not deterministic"
ok

# classify --eval: this task is separable, the model must get it all
expect_rc 0 sh -c "'$SL' classify --model '$M' --eval < '$D/dev.tsv'"
expect_err "eval sport: P 1.0000 R 1.0000 F1 1.0000 macro-F1 1.0000 AUC 1.0000"
[ "$(wc -l < "$T/out")" = 40 ] || fail "classify printed $(wc -l < "$T/out") lines, want 40"
ok
printf 'the goalkeeper saved a penalty\n用小火慢炖汤\n' > "$T/in.tsv"
expect_rc 0 sh -c "'$SL' classify --model '$M' < '$T/in.tsv'"
sed -n 1p "$T/out" | grep -q '^sport	' || fail "not sport: $(sed -n 1p "$T/out")"
sed -n 2p "$T/out" | grep -q '^cooking	' || fail "not cooking: $(sed -n 2p "$T/out")"
ok
printf '{"text":"whisk the eggs"}\n' > "$T/in.jsonl"
expect_rc 0 sh -c "'$SL' classify --model '$M' --format jsonl < '$T/in.jsonl'"
expect_out '{"label":"cooking","probs":{'
expect_out '"by":"linear"}'
# errors name the line
printf 'fine\tsport\nbad \377\tsport\n' > "$T/bad.tsv"
expect_rc 1 sh -c "'$SL' classify --model '$M' < '$T/bad.tsv'"
expect_err "stdin line 2: text is not valid UTF-8"
expect_rc 1 sh -c "'$SL' classify --model '$M' --eval < '$T/in.tsv'"
expect_err "stdin line 1: no gold label"
expect_rc 1 "$SL" train --data "$T/bad.tsv" --out "$T/x.safetensors"
expect_err "bad.tsv' line 2: text is not valid UTF-8"
[ ! -e "$T/x.safetensors" ] || fail "a failed training wrote a model"
ok
expect_rc 1 "$SL" classify --model "$D/train.tsv"
expect_rc 2 "$SL" train --out "$T/x.safetensors"
expect_rc 2 "$SL" classify --model "$M" --band 0.9,0.1

# the stage: every document gets a score and the detail the labelling UI
# reads; sport documents are flagged
python3 - "$D/dev.tsv" > "$T/docs.jsonl" <<'PY'
import json, sys
for i, l in enumerate(open(sys.argv[1], encoding="utf-8")):
    t, lab = l.rstrip("\n").rsplit("\t", 1)
    print(json.dumps({"id": "d%02d-%s" % (i, lab), "text": t}, ensure_ascii=False))
PY
expect_rc 0 "$SL" import "$T/docs.jsonl"
cat > "$T/p.ini" <<INI
[filter.classify]
model = $M
threshold = 0.5
action = flag
INI
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_err "classify           40"
q() { sqlite3 "$SLUICE_DB" "$1"; }
[ "$(q "SELECT count(*) FROM verdicts WHERE stage = 'classify' AND score IS NOT NULL")" = 40 ] || fail "not every document scored"
[ "$(q "SELECT count(*) FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE v.stage = 'classify' AND v.decision = 'flag' AND d.id LIKE '%-sport' AND v.reason = 'classify_sport' AND v.score >= 0.5")" = 20 ] || fail "sport documents not flagged"
[ "$(q "SELECT count(*) FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE v.stage = 'classify' AND v.decision = 'keep' AND d.id LIKE '%-cooking' AND v.score < 0.5")" = 20 ] || fail "cooking documents not kept"
[ "$(q "SELECT count(*) FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE v.stage = 'classify' AND json_extract(v.detail, '\$.label') = 'sport' AND json_extract(v.detail, '\$.threshold') = 0.5 AND json_extract(v.detail, '\$.by') = 'linear' AND json_extract(v.detail, '\$.suggest') = substr(d.id, 5)")" = 40 ] || fail "detail JSON wrong: $(q "SELECT detail FROM verdicts WHERE stage = 'classify' LIMIT 1")"
ok
# nothing new: nothing done
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_err "classify            0"
# a retrained model (other seed: other bytes) re-scores everything
expect_rc 0 "$SL" train --data "$D/train.tsv" --dev "$D/dev.tsv" --out "$M" --epochs 10 --lr 0.5 --seed 2
expect_rc 0 "$SL" filter --pipeline "$T/p.ini"
expect_err "classify           40"
# the stage is opt-in: the default pipeline does not run it
expect_rc 0 "$SL" filter
[ "$(q "SELECT count(DISTINCT version) FROM verdicts WHERE stage = 'classify'")" = 1 ] || fail "default pipeline touched classify"
ok

# the cascade: a unigram model behind the cheap one; with the band
# [0, 1] every document goes to the model, with an empty middle none
expect_rc 0 "$SL" train --data "$D/train.tsv" --out "$T/big.safetensors" --ngrams 1 --epochs 10 --lr 0.5 --dev-fraction 0.1
expect_rc 0 sh -c "'$SL' classify --model '$T/big.safetensors' --cheap-model '$M' --band 0,1 --eval < '$D/dev.tsv'"
expect_err "cascade: 40 of 40 (100.0%) went to the model"
expect_rc 0 sh -c "'$SL' classify --model '$T/big.safetensors' --cheap-model '$M' --band 0.5,0.5 --threads 2 --eval < '$D/dev.tsv'"
expect_err "cascade: 0 of 40 (0.0%) went to the model"
expect_err "macro-F1 1.0000"
cat > "$T/c.ini" <<INI
[filter.classify]
model = $T/big.safetensors
cheap_model = $M
low = 0
high = 1
INI
expect_rc 0 "$SL" filter --pipeline "$T/c.ini"
expect_err "classify           40"
[ "$(q "SELECT count(*) FROM verdicts WHERE stage = 'classify' AND decision = 'drop'")" = 20 ] || fail "cascade: sport not dropped"
ok
# the Transformer behind the linear model: every document in the band
# [0, 1] is scored by the encoder, and says so
expect_rc 0 "$SL" train --arch encoder --data "$D/train.tsv" --dev "$D/dev.tsv" --out "$T/enc.safetensors" --epochs 2
expect_err "wrote '$T/enc.safetensors' (encoder)"
expect_rc 0 sh -c "'$SL' classify --model '$T/enc.safetensors' --format jsonl < '$T/in.jsonl'"
expect_out '"by":"encoder"}'
sed -i "s|^model = .*|model = $T/enc.safetensors|" "$T/c.ini"
expect_rc 0 "$SL" filter --pipeline "$T/c.ini"
expect_err "classify           40"
[ "$(q "SELECT count(*) FROM verdicts WHERE stage = 'classify' AND json_extract(detail, '\$.by') = 'encoder'")" = 40 ] || fail "cascade: not every document went to the encoder"
ok
# the stage hands each worker's share to the encoder in one call: its
# scores are the ones `sluice classify` gives text by text
expect_rc 0 "$SL" filter --pipeline "$T/c.ini" --threads 2 --redo classify
python3 -c 'import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    print(json.dumps({"text": l.rstrip("\n").rsplit("\t", 1)[0]}, ensure_ascii=False))' "$D/dev.tsv" > "$T/dev.jsonl"
expect_rc 0 sh -c "'$SL' classify --model '$T/enc.safetensors' --format jsonl --batch 1 < '$T/dev.jsonl'"
q "SELECT score FROM verdicts v JOIN docs d ON d.rowid = v.doc WHERE stage = 'classify' ORDER BY d.id" > "$T/stage.txt"
python3 - "$T/out" "$T/stage.txt" <<'PY' || fail "stage scores differ from classify's"
import json, sys
one = [json.loads(l)["probs"]["sport"] for l in open(sys.argv[1])]
stage = [float(l) for l in open(sys.argv[2])]
assert len(one) == len(stage) == 40, (len(one), len(stage))
worst = max(abs(a - b) for a, b in zip(one, stage))
assert worst < 1e-4, worst
PY
ok
# --task: a binary labelling task's final labels (schema v5) train a
# model with classes sport and not_sport
python3 - "$D/train.tsv" "$T/tdocs.jsonl" "$T/tlabels.jsonl" <<'PY'
import json, sys
docs = open(sys.argv[2], "w", encoding="utf-8")
labs = open(sys.argv[3], "w")
for i, l in enumerate(open(sys.argv[1], encoding="utf-8")):
    if i == 0:
        continue
    t, c = l.rstrip("\n").rsplit("\t", 1)
    docs.write(json.dumps({"id": "t%03d" % i, "text": t}, ensure_ascii=False) + "\n")
    labs.write(json.dumps({"id": "t%03d" % i, "label": "sport", "answer": "accept" if c == "sport" else "reject"}) + "\n")
PY
expect_rc 0 "$SL" import "$T/tdocs.jsonl"
expect_rc 0 "$SL" task create sport --binary sport
expect_rc 0 "$SL" labels import sport "$T/tlabels.jsonl"
expect_rc 0 "$SL" train --task sport --out "$T/task.safetensors" --epochs 10 --lr 0.5 --dev-fraction 0
expect_err "train: 160 examples: sport 80 not_sport 80"
expect_rc 0 sh -c "'$SL' classify --model '$T/task.safetensors' < '$T/in.tsv'"
sed -n 1p "$T/out" | grep -q '^sport	' || fail "task model: not sport: $(sed -n 1p "$T/out")"
sed -n 2p "$T/out" | grep -q '^not_sport	' || fail "task model: not not_sport: $(sed -n 2p "$T/out")"
expect_rc 1 "$SL" train --task nosuch --out "$T/x.safetensors"
expect_err "no task 'nosuch' in the store"
printf '[filter.classify]\nmodel = %s\nlabel = nosuch\n' "$M" > "$T/bad.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad.ini"
expect_err "no class 'nosuch'"
printf '[filter.classify]\naction = drop\n' > "$T/bad.ini"
expect_rc 2 "$SL" filter --pipeline "$T/bad.ini"
expect_err "model: give the model file"
done_tests
