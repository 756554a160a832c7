#!/usr/bin/env python3
"""score_extract.py: score extracted main texts against the ground truth.

Usage: score_extract.py GROUND_TRUTH.json PRED_DIR [--per-page]

The protocol of scrapinghub/article-extraction-benchmark, as described in
/work/shared/data/extraction/SOURCES.md:
- tokens are runs of Unicode word characters (\\w+), case kept;
- a text is the multiset of its 4-token shingles (1-3 tokens: one shorter
  shingle; no tokens: none);
- per page tp = shared shingles (min of counts), fp = extra predicted,
  fn = missed; P = tp/(tp+fp), R = tp/(tp+fn), both 1 when fp = fn = 0;
- precision is the mean over pages with tp+fp > 0, recall the mean over
  pages with tp+fn > 0, F1 = 2PR/(P+R) of the two means; accuracy is the
  share of pages whose token sequence equals the truth's.
A missing PRED_DIR/<id>.txt counts as an empty extraction.
Python 3 standard library only.
"""
import json
import os
import re
import sys
from collections import Counter

WORD = re.compile(r"\w+")


def tokens(text):
    return WORD.findall(text)


def shingles(toks, n=4):
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))


def page_counts(pred, truth):
    sp, st = shingles(pred), shingles(truth)
    tp = sum((sp & st).values())
    fp = sum(sp.values()) - tp
    fn = sum(st.values()) - tp
    return tp, fp, fn


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        gt = json.load(f)
    per_page = "--per-page" in argv[3:]
    precs, recs, exact = [], [], 0
    rows = []
    for pid in sorted(gt):
        path = os.path.join(argv[2], pid + ".txt")
        pred = ""
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                pred = f.read()
        pt, tt = tokens(pred), tokens(gt[pid]["articleBody"])
        tp, fp, fn = page_counts(pt, tt)
        p = 1.0 if fp == 0 and fn == 0 else (tp / (tp + fp) if tp + fp else 0.0)
        r = 1.0 if fp == 0 and fn == 0 else (tp / (tp + fn) if tp + fn else 0.0)
        if tp + fp > 0:
            precs.append(p)
        if tp + fn > 0:
            recs.append(r)
        exact += pt == tt
        rows.append((pid, p, r, tp, fp, fn))
    P = sum(precs) / len(precs) if precs else 0.0
    R = sum(recs) / len(recs) if recs else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    if per_page:
        for pid, p, r, tp, fp, fn in sorted(rows, key=lambda x: x[1] + x[2]):
            print("%s P=%.3f R=%.3f tp=%d fp=%d fn=%d" % (pid[:12], p, r, tp, fp, fn))
    print("pages=%d f1=%.4f precision=%.4f recall=%.4f accuracy=%.4f"
          % (len(gt), F, P, R, exact / len(gt) if gt else 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
