#!/usr/bin/env python3
"""eval_neardup.py OUTDIR CLUSTERS_TSV: score sluice's minhash clusters
against the true Jaccard of every pair (bench_dedup.sh).

OUTDIR holds pairs.tsv (gen_neardup.py) and truth.tsv (dedup_truth: every
pair of documents of one language with J >= 0.05; pairs not listed are below
that).  CLUSTERS_TSV: "id\tcluster" for each document, from the store.

A pair is "found" when both documents are in one cluster.  Positives: pairs
with true J > 0.85; negatives: pairs with true J < 0.6; pairs in between are
reported per band of J but not scored.  For each language:
  recall    = found positives / positives
  precision = found positives / (found positives + found negatives)
  hard-negative rejection = generated (base, mutant) pairs with J < 0.6
              that were not found / such pairs
Every pair of documents counts, not only the generated ones, so clusters
that wrongly join unrelated documents show up as lost precision."""
import collections, itertools, sys

out, clusters_tsv = sys.argv[1], sys.argv[2]
cluster = {}
for line in open(clusters_tsv, encoding="utf-8"):
    i, c = line.rstrip("\n").split("\t")
    cluster[i] = c
truth = {}
for line in open(f"{out}/truth.tsv", encoding="utf-8"):
    a, b, j = line.rstrip("\n").split("\t")
    truth[frozenset((a, b))] = float(j)
gen = {}
for r in list(open(f"{out}/pairs.tsv", encoding="utf-8"))[1:]:
    lang, base, mut, kind, target, k = r.rstrip("\n").split("\t")
    gen[frozenset((base, mut))] = (lang, kind)

docs_by_lang = collections.defaultdict(list)
for i in cluster:
    docs_by_lang[i.split("-")[0]].append(i)

# found pairs: all pairs within each cluster
members = collections.defaultdict(list)
for i, c in cluster.items():
    members[c].append(i)
found = set()
for ids in members.values():
    for a, b in itertools.combinations(ids, 2):
        found.add(frozenset((a, b)))

bands = [(0.0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8),
         (0.8, 0.85), (0.85, 0.9), (0.9, 0.95), (0.95, 1.01)]
ok = True
print("lang  positives(J>0.85)  found  recall   negatives-found(J<0.6)  precision  "
      "hard-neg-rejected")
for lang in sorted(docs_by_lang):
    pos = [p for p, j in truth.items() if j > 0.85 and next(iter(p)).startswith(lang)]
    fpos = sum(p in found for p in pos)
    fneg = [p for p in found if next(iter(p)).startswith(lang) and truth.get(p, 0) < 0.6]
    hard = [p for p, (l, _) in gen.items() if l == lang and truth.get(p, 0) < 0.6]
    hard_ok = sum(p not in found for p in hard)
    rec = fpos / len(pos) if pos else 1.0
    prec = fpos / (fpos + len(fneg)) if fpos + len(fneg) else 1.0
    print(f"{lang:5} {len(pos):17d} {fpos:6d} {rec:7.3f}   {len(fneg):22d}  {prec:9.3f}  "
          f"{hard_ok}/{len(hard)} = {hard_ok / max(len(hard), 1):.3f}")
    ok &= rec >= 0.95 and prec >= 0.95
print()
print("found rate by true J (generated pairs), per language and mutation kind")
print("J band       " + "".join(f"{l:>14}" for l in sorted(docs_by_lang)))
for lo, hi in bands:
    cells = []
    for lang in sorted(docs_by_lang):
        ps = [p for p, (l, _) in gen.items() if l == lang and lo <= truth.get(p, 0) < hi]
        f = sum(p in found for p in ps)
        cells.append(f"{f:4d}/{len(ps):<4d}" + (f"{f / len(ps):5.2f}" if ps else "    -"))
    print(f"[{lo:.2f},{min(hi, 1):.2f})  " + "".join(f"{c:>14}" for c in cells))
print()
kinds = sorted({k for _, k in gen.values()})
print("per kind: found / pairs with J > 0.85, and found / pairs with J < 0.6")
for lang in sorted(docs_by_lang):
    cells = []
    for kd in kinds:
        hp = [p for p, (l, k) in gen.items() if l == lang and k == kd and truth.get(p, 0) > 0.85]
        lp = [p for p, (l, k) in gen.items() if l == lang and k == kd and truth.get(p, 0) < 0.6]
        cells.append(f"{kd} {sum(p in found for p in hp)}/{len(hp)}, {sum(p in found for p in lp)}/{len(lp)}")
    print(f"  {lang}: " + "; ".join(cells))
print()
print("GOAL P and R >= 0.95:", "met" if ok else "NOT met")
