#!/usr/bin/env python3
"""gen_corpus.py OUT SIZE_MB: a FineWeb-shaped JSONL corpus of about SIZE_MB
megabytes for the import/export benchmark.  Documents are random runs of
real lines (English help text and Chinese comments from
../shared/data/tokenizers, or the bundled sample when that is absent), so the
text compresses like real text, not like repeated bytes.  Deterministic."""
import json, os, random, sys

out, size_mb = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, "..", "..", "shared", "data", "tokenizers")
lines = []
for name in ("en_vimdoc_1mb.txt", "zh_cold_2mb.txt"):
    p = os.path.join(shared, name)
    if os.path.exists(p):
        lines += [l for l in open(p, encoding="utf-8").read().split("\n") if l.strip()]
if not lines:
    sample = os.path.join(here, "..", "tests", "data", "sample", "debian-faq.jsonl")
    for l in open(sample, encoding="utf-8"):
        lines += json.loads(l)["text"].split("\n")
rnd = random.Random(42)
target = size_mb * 1000 * 1000
written = 0
i = 0
with open(out, "w", encoding="utf-8") as f:
    while written < target:
        n = rnd.randrange(3, 120)
        start = rnd.randrange(len(lines))
        text = "\n".join(lines[(start + k) % len(lines)] for k in range(n))
        doc = {"text": text, "id": f"<urn:uuid:{i:08x}-bench>",
               "dump": "CC-MAIN-2024-10", "url": f"https://example.org/{i}",
               "date": "2024-02-21T12:00:00Z", "language": "en",
               "language_score": round(rnd.random(), 4), "token_count": len(text) // 4}
        line = json.dumps(doc, ensure_ascii=False) + "\n"
        f.write(line)
        written += len(line.encode("utf-8"))
        i += 1
print(f"{out}: {i} documents, {written / 1e6:.0f} MB")
