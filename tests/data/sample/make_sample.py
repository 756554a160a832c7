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
        paras = "\n".join(l.strip() for l in body).strip()
        paras = re.sub(r"\n{3,}", "\n\n", paras)
        if len(paras) > 80:
            docs.append((num, paras))
    return docs


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
