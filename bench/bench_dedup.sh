#!/bin/sh
# bench_dedup.sh: quality of the near-dedup stage ([filter.minhash]) run
# through the real `sluice import` + `sluice filter`, scored against ground
# truth.
#
#   1. generated near duplicates (bench/gen_neardup.py): 300 base documents
#      per language (English vimdoc paragraphs, Chinese forum lines), each
#      with one mutant aimed at a known Jaccard (word/char substitutions,
#      insertions, deletions, paragraph reordering, boilerplate).  The TRUE
#      Jaccard of every pair is computed with sluice's own shingling
#      (bench/dedup_truth.c over filter/shingle.c).  The clusters sluice
#      leaves in minhash_docs are scored by bench/eval_neardup.py:
#      precision and recall of pairs at the default threshold 0.8, for
#      pairs with J > 0.85 (should be found) and J < 0.6 (should not).
#   2. Clough-Stevenson short answers (95 answers vs 5 sources): per
#      category, how many answers land in their source's cluster, at the
#      default setup (threshold 0.8, 14 bands x 8 rows), at threshold 0.5
#      (same bands), and at threshold 0.5 with 28 bands x 4 rows (LSH
#      S-curve moved down to ~0.43), and with the containment option
#      (containment = 0.5 with 28 x 4 and 56 x 2, 0.7 with 56 x 2, threshold
#      0.8); beside exact Jaccard and containment of the answer in its
#      source (bench_minhash pairs).
#
# Usage: sh bench/bench_dedup.sh      (from the top of the tree)
# Env:   SLUICE_DATA (default /work/shared/data), N (bases per language, 300)
set -eu
cd "$(dirname "$0")/.."
DATA=${SLUICE_DATA:-/work/shared/data}
N=${N:-300}
CS=$DATA/dedup/clough-stevenson-short-answers
OUT=bench/out/dedup
SL=$(pwd)/sluice
rm -rf "$OUT"
mkdir -p "$OUT"

make --no-print-directory sluice build/libsluice.a >/dev/null
CFLAGS_B="-O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE"
LIBS_B="build/libsluice.a $(pkg-config --libs libxxhash libutf8proc) -lm"
# shellcheck disable=SC2086
cc $CFLAGS_B bench/dedup_truth.c $LIBS_B -o "$OUT/dedup_truth"
# shellcheck disable=SC2086
cc $CFLAGS_B bench/bench_minhash.c $LIBS_B -o "$OUT/bench_minhash"

# run_minhash DB INI: a fresh store, import, one minhash stage; prints the
# "id<TAB>cluster" of every document to stdout
cluster_dump() {
	sqlite3 -separator "$(printf '\t')" "$1" "SELECT d.id, m.cluster FROM minhash_docs m JOIN docs d ON d.rowid = m.doc"
}
fresh_run() {	# name jsonl ini-body
	db="$OUT/$1.db"
	rm -f "$db"
	printf '%b' "$3" > "$OUT/$1.ini"
	SLUICE_DB=$db "$SL" import "$2" >/dev/null 2>&1
	SLUICE_DB=$db "$SL" filter --pipeline "$OUT/$1.ini" 2>"$OUT/$1.log"
	cluster_dump "$db" > "$OUT/$1.clusters.tsv"
}

echo "== generated near duplicates ($N bases per language), [filter.minhash] defaults"
python3 bench/gen_neardup.py "$OUT/gen" "$N"
for l in en zh; do
	[ -f "$OUT/gen/$l.docs" ] && "$OUT/dedup_truth" "$OUT/gen/$l.docs" 0.05
done > "$OUT/gen/truth.tsv"
fresh_run gen "$OUT/gen/docs.jsonl" '[filter.minhash]\n'
sed -n 2p "$OUT/gen.log"
python3 bench/eval_neardup.py "$OUT/gen" "$OUT/gen.clusters.tsv"

if [ ! -d "$CS" ]; then
	echo "note: $CS absent; Clough-Stevenson part skipped"
	exit 0
fi
echo
echo "== Clough-Stevenson: answers in their source's cluster"
python3 - "$CS" > "$OUT/cs.jsonl" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "file_information.csv"))))
rows.sort(key=lambda r: (r["Category"] != "orig", r["File"]))   # sources first
for r in rows:
    t = open(os.path.join(d, "texts", r["File"]), encoding="utf-8", errors="replace").read()
    print(json.dumps({"id": r["File"], "text": t, "source": r["Category"]}))
PY
"$OUT/bench_minhash" pairs "$CS" > "$OUT/cs_pairs.tsv"
fresh_run cs_t80 "$OUT/cs.jsonl" '[filter.minhash]\nthreshold = 0.8\n'
fresh_run cs_t50 "$OUT/cs.jsonl" '[filter.minhash]\nthreshold = 0.5\n'
fresh_run cs_t50_b28 "$OUT/cs.jsonl" '[filter.minhash]\nthreshold = 0.5\nbands = 28\nrows = 4\n'
# the containment option, on the default threshold, with LSH widened so
# low-Jaccard pairs become candidates
fresh_run cs_c50_b28 "$OUT/cs.jsonl" '[filter.minhash]\ncontainment = 0.5\nbands = 28\nrows = 4\n'
fresh_run cs_c50_b56 "$OUT/cs.jsonl" '[filter.minhash]\ncontainment = 0.5\nbands = 56\nrows = 2\n'
fresh_run cs_c70_b56 "$OUT/cs.jsonl" '[filter.minhash]\ncontainment = 0.7\nbands = 56\nrows = 2\n'
python3 - "$CS" "$OUT" <<'PY'
import csv, os, sys
d, out = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open(os.path.join(d, "file_information.csv")))
        if r["Category"] != "orig"]
pairs = {}
for l in open(os.path.join(out, "cs_pairs.tsv")):
    f, cat, exact, est, cand, cont = l.rstrip("\n").split("\t")
    pairs[f] = (float(exact), float(cont))
runs = [("t=0.8 14x8", "cs_t80"), ("t=0.5 14x8", "cs_t50"), ("t=0.5 28x4", "cs_t50_b28"),
        ("c=0.5 28x4", "cs_c50_b28"), ("c=0.5 56x2", "cs_c50_b56"), ("c=0.7 56x2", "cs_c70_b56")]
cl = {}
for _, name in runs:
    cl[name] = dict(l.rstrip("\n").split("\t") for l in open(os.path.join(out, name + ".clusters.tsv")))
cats = ["cut", "light", "heavy", "non"]
print(f"{'category':9}{'n':>4}" + "".join(f"{r:>13}" for r, _ in runs) +
      f"{'exact J>=.8':>13}{'exact J>=.5':>13}{'contain>=.5':>13}")
for c in cats:
    rs = [r for r in rows if r["Category"] == c]
    cells = []
    for _, name in runs:
        k = sum(cl[name][r["File"]] == cl[name]["orig_task" + r["Task"] + ".txt"] for r in rs)
        cells.append(f"{k}/{len(rs)}")
    ex8 = sum(pairs[r["File"]][0] >= 0.8 for r in rs)
    ex5 = sum(pairs[r["File"]][0] >= 0.5 for r in rs)
    ct5 = sum(pairs[r["File"]][1] >= 0.5 for r in rs)
    print(f"{c:9}{len(rs):4d}" + "".join(f"{x:>13}" for x in cells) +
          f"{ex8:>13}{ex5:>13}{ct5:>13}")
# answers merged with anything other than their own source (false joins)
for label, name in runs:
    bad = sum(1 for r in rows if r["Category"] == "non" and
              cl[name][r["File"]] == cl[name]["orig_task" + r["Task"] + ".txt"])
    multi = {}
    for f, c in cl[name].items():
        multi.setdefault(c, []).append(f)
    wrong = sum(1 for ids in multi.values() for f in ids
                if len(ids) > 1 and not f.startswith("orig") and
                not any(g.startswith("orig_task" + f.split("task")[1][0]) for g in ids))
    print(f"{label}: clusters without their task's source holding answers: {wrong}; non in source cluster: {bad}")
PY
