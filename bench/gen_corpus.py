#!/usr/bin/env python3
"""gen_corpus.py OUT SIZE_MB [--doc-bytes N] [--unique] [--raw RAW] [--docs N]

A FineWeb-shaped JSONL corpus of about SIZE_MB megabytes.  Deterministic.

Default (the import/export benchmark): documents are random runs of real
lines (English help text and Chinese comments from ../shared/data/tokenizers,
or the bundled sample when that is absent), so the text compresses like real
text, not like repeated bytes.

--unique (the filter benchmark): random runs of real lines repeat across a
large corpus (3 MB of source), which would make every document a near
duplicate of others and every line a repeated one.  Instead each line is
made of words (Chinese: characters) drawn at random from the source's token
stream, with the source's line lengths, so text and lines are unique like
real web text; then, as on the web: 30% of documents get 1-3 boilerplate
lines from a fixed set of 40 (the line dedup stage's work), 3% are exact
copies of an earlier document and 3% near copies (one line changed).  One
document in five is Chinese.

--doc-bytes N: documents of about N bytes of text (default: 3..120 lines).
--docs N: stop after N documents (SIZE_MB still caps the size).
--raw RAW: also write the texts alone, each followed by a NUL byte (for
bench_filter's per-stage driver and the xxhsum floor)."""
import json, os, random, sys

args = sys.argv[1:]
def opt(name, default=None, flag=False):
    if name not in args:
        return default
    i = args.index(name)
    if flag:
        del args[i]
        return True
    v = args[i + 1]
    del args[i:i + 2]
    return v
doc_bytes = int(opt("--doc-bytes", 0))
max_docs = int(opt("--docs", 0))
raw_out = opt("--raw")
unique = opt("--unique", False, True)
out, size_mb = args[0], int(args[1])

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, "..", "..", "shared", "data", "tokenizers")
by_lang = {}
for lang, name in (("en", "en_vimdoc_1mb.txt"), ("zh", "zh_cold_2mb.txt")):
    p = os.path.join(shared, name)
    if os.path.exists(p):
        by_lang[lang] = [l for l in open(p, encoding="utf-8").read().split("\n") if l.strip()]
if not by_lang:
    sample = os.path.join(here, "..", "tests", "data", "sample", "debian-faq.jsonl")
    by_lang["en"] = []
    for l in open(sample, encoding="utf-8"):
        by_lang["en"] += [x for x in json.loads(l)["text"].split("\n") if x.strip()]
lines = [l for ls in by_lang.values() for l in ls]
rnd = random.Random(42)

if unique:
    toks, lens = {}, {}
    for lang, ls in by_lang.items():
        if lang == "zh":
            toks[lang] = [c for l in ls for c in l if not c.isspace()]
            lens[lang] = [len(l) for l in ls]
        else:
            toks[lang] = [w for l in ls for w in l.split()]
            lens[lang] = [len(l.split()) for l in ls]
    boiler = [f"{w} | Home | About | Contact | Privacy policy {i}" for i, w in
              enumerate(rnd.choices(toks["en"], k=40))]
    history = []

def unique_line(lang):
    k = max(1, rnd.choice(lens[lang]))
    sep = "" if lang == "zh" else " "
    return sep.join(rnd.choices(toks[lang], k=k))

def make_text(i):
    if not unique:
        n = rnd.randrange(3, 120)
        start = rnd.randrange(len(lines))
        if not doc_bytes:
            return "\n".join(lines[(start + k) % len(lines)] for k in range(n))
        out, size, k = [], 0, 0
        while size < doc_bytes:
            l = lines[(start + k) % len(lines)]
            out.append(l)
            size += len(l.encode("utf-8")) + 1
            k += 1
        return "\n".join(out)
    u = rnd.random()
    if history and u < 0.03:
        return rnd.choice(history)
    if history and u < 0.06:
        ls = rnd.choice(history).split("\n")
        ls[rnd.randrange(len(ls))] = unique_line("en")
        return "\n".join(ls)
    lang = "zh" if "zh" in toks and rnd.random() < 0.2 else "en"
    target = doc_bytes or rnd.randrange(200, 8000)
    out, size = [], 0
    while size < target:
        l = unique_line(lang)
        out.append(l)
        size += len(l.encode("utf-8")) + 1
    if rnd.random() < 0.3:
        for _ in range(rnd.randrange(1, 4)):
            out.insert(rnd.randrange(len(out) + 1), rnd.choice(boiler))
    text = "\n".join(out)
    if len(history) < 1000:
        history.append(text)
    else:
        history[rnd.randrange(1000)] = text
    return text

target = size_mb * 1000 * 1000
written = 0
i = 0
raw = open(raw_out, "wb") if raw_out else None
with open(out, "w", encoding="utf-8") as f:
    while written < target and (not max_docs or i < max_docs):
        text = make_text(i)
        doc = {"text": text, "id": f"<urn:uuid:{i:08x}-bench>",
               "dump": "CC-MAIN-2024-10", "url": f"https://example.org/{i}",
               "date": "2024-02-21T12:00:00Z", "language": "en",
               "language_score": round(rnd.random(), 4), "token_count": len(text) // 4}
        line = json.dumps(doc, ensure_ascii=False) + "\n"
        f.write(line)
        if raw:
            raw.write(text.encode("utf-8") + b"\0")
        written += len(line.encode("utf-8"))
        i += 1
if raw:
    raw.close()
print(f"{out}: {i} documents, {written / 1e6:.0f} MB")
