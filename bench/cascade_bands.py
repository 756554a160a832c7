#!/usr/bin/env python3
"""cascade_bands.py GOLD LINEAR.jsonl ENCODER.jsonl [POS]: the cascade's
macro-F1 and AUC at several bands, computed from each model's own scores
of the same texts (`sluice classify --format jsonl`, one line per text, in
GOLD's order; GOLD: one label per line), without re-running the models.
Also two ways of combining the scores inside the band that were tried and
not kept: the encoder's probability mapped into [low, high] (so the two
models' scales cannot interleave) and the mean of both probabilities.
POS is the positive class (default "1").
"""
import json
import sys


def auc(scores, gold):
    pairs = sorted(zip(scores, gold))
    n, ranks, i = len(pairs), [0.0] * len(pairs), 0
    while i < n:
        j = i
        while j + 1 < n and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    npos = sum(gold)
    sp = sum(r for r, (_, y) in zip(ranks, pairs) if y)
    return (sp - npos * (npos + 1) / 2) / (npos * (n - npos))


def macro_f1(scores, gold, t=0.5):
    f = []
    for c in (0, 1):
        pred = [(s >= t) == (c == 1) for s in scores]
        tp = sum(1 for p, y in zip(pred, gold) if p and y == c)
        fp = sum(1 for p, y in zip(pred, gold) if p and y != c)
        fn = sum(1 for p, y in zip(pred, gold) if not p and y == c)
        pr = tp / (tp + fp) if tp + fp else 0
        rc = tp / (tp + fn) if tp + fn else 0
        f.append(2 * pr * rc / (pr + rc) if pr + rc else 0)
    return sum(f) / 2


def main():
    pos = sys.argv[4] if len(sys.argv) > 4 else "1"
    gold = [int(l.strip() == pos) for l in open(sys.argv[1])]
    lin = [json.loads(l)["probs"][pos] for l in open(sys.argv[2])]
    enc = [json.loads(l)["probs"][pos] for l in open(sys.argv[3])]
    assert len(gold) == len(lin) == len(enc)

    def mapped(p, lo, hi):
        if p < 0.5:
            return lo + (0.5 - lo) * p / 0.5
        return 0.5 + (hi - 0.5) * (p - 0.5) / 0.5

    print("model     macro-F1  AUC")
    print(f"linear    {macro_f1(lin, gold):.4f}    {auc(lin, gold):.4f}")
    print(f"encoder   {macro_f1(enc, gold):.4f}    {auc(enc, gold):.4f}")
    print("band          to-encoder  cascade(F1 AUC)  mapped(F1 AUC)   mean(F1 AUC)")
    for lo, hi in [(0.45, 0.55), (0.4, 0.6), (0.35, 0.65), (0.3, 0.7),
                   (0.25, 0.75), (0.2, 0.8), (0.1, 0.9), (0.05, 0.95)]:
        inb = [lo <= p <= hi for p in lin]
        raw = [e if b else l for l, e, b in zip(lin, enc, inb)]
        mp = [mapped(e, lo, hi) if b else l for l, e, b in zip(lin, enc, inb)]
        mean = [(l + e) / 2 if b else l for l, e, b in zip(lin, enc, inb)]
        print(f"[{lo:.2f},{hi:.2f}]  {sum(inb) / len(inb):10.3f}  "
              f"{macro_f1(raw, gold):.4f} {auc(raw, gold):.4f}  "
              f"{macro_f1(mp, gold):.4f} {auc(mp, gold):.4f}  "
              f"{macro_f1(mean, gold):.4f} {auc(mean, gold):.4f}")


main()
