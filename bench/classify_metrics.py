#!/usr/bin/env python3
# classify_metrics.py GOLD.tsv PRED: quality of a peer's predictions, the
# same figures `sluice classify --eval` prints: P/R/F1 of label 1, macro-F1
# over both labels, AUC (Mann-Whitney, ties one half), accuracy.
# GOLD.tsv: text<TAB>label (0/1) lines; PRED: one line per text, fastText's
# `predict-prob M - 2` output ("__label__1 0.98 __label__0 0.02").
import sys

gold = [l.rstrip("\n").rsplit("\t", 1)[1] for l in open(sys.argv[1], encoding="utf-8")]
p1 = []
for l in open(sys.argv[2]):
    f = l.split()
    d = {f[i].replace("__label__", ""): float(f[i + 1]) for i in range(0, len(f), 2)}
    if "1" in d:
        p1.append(d["1"])
    else:
        p1.append(1.0 - d.get("0", 0.0))
assert len(gold) == len(p1), (len(gold), len(p1))
y = [g == "1" for g in gold]
pred = [p > 0.5 for p in p1]

def prf(c):
    tp = sum(1 for a, b in zip(y, pred) if a == c and b == c)
    np_ = sum(1 for b in pred if b == c)
    ng = sum(1 for a in y if a == c)
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

p, r, f = prf(True)
_, _, f0 = prf(False)
order = sorted(range(len(p1)), key=lambda i: p1[i])
rank = [0.0] * len(p1)
i = 0
while i < len(order):
    j = i
    while j < len(order) and p1[order[j]] == p1[order[i]]:
        j += 1
    for k in range(i, j):
        rank[order[k]] = (i + 1 + j) / 2
    i = j
npos = sum(y)
nneg = len(y) - npos
auc = (sum(rank[i] for i in range(len(y)) if y[i]) - npos * (npos + 1) / 2) / (npos * nneg)
acc = sum(1 for a, b in zip(y, pred) if a == b) / len(y)
print("P %.4f R %.4f F1 %.4f macro-F1 %.4f AUC %.4f acc %.4f n %d" % (p, r, f, (f + f0) / 2, auc, acc, len(y)))
