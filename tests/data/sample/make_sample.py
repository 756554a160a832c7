#!/usr/bin/env python3
"""Rebuild the bundled sample corpus from Debian's FAQ (English and
Simplified Chinese), as installed by the Debian 12 packages debian-faq and
debian-faq-zh-cn.  Run from this directory:  python3 make_sample.py

Each numbered section (question and answer) becomes one document.  A few
sections are repeated verbatim under other ids (exact duplicates) and a few
with small edits (near duplicates), so the filter stages have work to do.
Deterministic: the same packages give the same files."""
import gzip, json, random, re

SRC = {
    "en": "/usr/share/doc/debian/FAQ/debian-faq.en.txt.gz",
    "zh": "/usr/share/doc/debian/FAQ/debian-faq.zh-cn.txt.gz",
}
HEAD = re.compile(r"^(\d+\.\d+(?:\.\d+)?\.)[ \u00a0](.+)$")


def sections(path):
    lines = gzip.open(path, "rt", encoding="utf-8").read().split("\n")
    out, cur = [], None
    for line in lines:
        m = HEAD.match(line)
        if m:
            if cur:
                out.append(cur)
            cur = [m.group(1).rstrip("."), [m.group(2)]]
        elif cur is not None:
            cur[1].append(line)
    if cur:
        out.append(cur)
    docs = []
    for num, body in out:
        text = "\n".join(unwrap(p) for p in paragraphs(body))
        if len(text) > 80:
            docs.append((num, text))
    return docs


def paragraphs(lines):
    """Blank-line separated blocks of stripped lines."""
    block = []
    for l in lines + [""]:
        if l.strip():
            block.append(l.strip())
        elif block:
            yield block
            block = []


def unwrap(block):
    """Undo the text rendering's hard wrapping, as a web page has none:
    lines of a paragraph are joined (with a space between Latin words, with
    nothing between Chinese characters); list items stay one a line."""
    out = []
    for l in block:
        if out and not l.startswith(("*", "o ", "+ ", "- ")) and not re.match(r"\d+\.\s", l):
            prev = out[-1]
            cjk = lambda ch: "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"
            sep = "" if (cjk(prev[-1]) or cjk(l[0])) else " "
            out[-1] = prev + sep + l
        else:
            out.append(l)
    return "\n".join(out) + "\n"


def main():
    rnd = random.Random(20261129)
    docs = []
    for lang, path in SRC.items():
        for num, text in sections(path):
            docs.append({"id": f"faq-{lang}-{num}", "text": text,
                         "source": "debian-faq", "lang": lang,
                         "metadata": {"url": f"https://www.debian.org/doc/manuals/debian-faq/#{lang}-{num}",
                                      "section": num}})
    base = list(docs)
    for d in rnd.sample(base, 12):
        docs.append({"id": d["id"] + "-mirror", "text": d["text"],
                     "source": "mirror", "lang": d["lang"],
                     "metadata": {"copy_of": d["id"]}})
    for d in rnd.sample(base, 10):
        t = d["text"]
        cut = len(t) // 3
        edited = t[:cut] + (" (updated)" if d["lang"] == "en" else "（已更新）") + t[cut:]
        docs.append({"id": d["id"] + "-edited", "text": edited,
                     "source": "mirror", "lang": d["lang"],
                     "metadata": {"near_copy_of": d["id"]}})
    rnd.shuffle(docs)
    with open("debian-faq.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(len(docs), "documents")


main()
