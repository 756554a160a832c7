#!/usr/bin/env python3
"""gen_neardup.py OUTDIR [N_PER_LANG]: the near-duplicate quality corpus for
bench_dedup.sh.  Deterministic (seeded).

For each language (en: paragraphs of en_vimdoc_1mb.txt; zh: lines of
zh_cold_2mb.txt; the bundled debian-faq sample stands in for English when
/work/shared is absent) N base documents are cut from disjoint runs of the
source, and each gets one mutant aimed at a target Jaccard (5-gram shingles):
40% of targets in [0.86, 1.0], 40% in [0.3, 0.59], 20% in between.  The
mutation kinds, in turn:
  subst   k words (en) / characters (zh) replaced by random ones
  insert  k random words / characters inserted at random places
  delete  k words / characters deleted
  reorder the paragraphs shuffled, then k substitutions
  boiler  k words / characters of boilerplate (navigation, cookie notice,
          share links...) added at the top and bottom
  mixed   a little of each
k is found by bisection against a quick Python Jaccard; the TRUE Jaccard of
each pair is computed afterwards by bench/dedup_truth (filter/shingle.c).

Writes OUTDIR/docs.jsonl (for sluice import), OUTDIR/{en,zh}.docs (records
for dedup_truth) and OUTDIR/pairs.tsv (lang, base id, mutant id, kind,
target J, k)."""
import json, os, random, re, sys

out = sys.argv[1]
n_per = int(sys.argv[2]) if len(sys.argv) > 2 else 300
here = os.path.dirname(os.path.abspath(__file__))
data = os.environ.get("SLUICE_DATA", "/work/shared/data")
os.makedirs(out, exist_ok=True)
rnd = random.Random(20261129)

EN_BOILER = """Home | About us | Products | Blog | Contact
Skip to main content
We use cookies to improve your experience. By continuing to browse you agree to our cookie policy.
Accept all cookies Manage preferences
Share this page on Facebook Twitter LinkedIn Email
Related articles you might also like
Subscribe to our newsletter for weekly updates and special offers
Copyright 2024 Example Media Group. All rights reserved.
Privacy policy Terms of service Accessibility statement Sitemap
Posted in Uncategorized | Leave a comment
Previous post Next post Back to top
Follow us on Instagram and YouTube for more tips and tricks
This site is protected by reCAPTCHA and the Google privacy policy applies
Advertisement continue reading below
Log in Register Forgot your password
Download our free mobile app today
Last updated three days ago by the editorial team
Print this article Save for later Report an error"""
ZH_BOILER = """首页 关于我们 产品中心 新闻动态 联系我们
本网站使用Cookie来改善您的浏览体验，继续浏览即表示您同意我们的隐私政策。
分享到微信 分享到微博 复制链接
相关文章推荐 猜你喜欢 热门排行
版权所有 未经许可不得转载 违者必究
扫描二维码关注我们的公众号获取更多精彩内容
上一篇 下一篇 返回顶部
免责声明：本文仅代表作者个人观点，与本站无关。
登录 注册 忘记密码 下载客户端
广告 点击查看详情 立即购买 限时优惠"""

TOK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")


def shingles(text, n=5):
    t = TOK.findall(text.lower())
    if not t:
        return set()
    if len(t) < n:
        return {tuple(t)}
    return {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}


def jac(a, b):
    a, b = shingles(a), shingles(b)
    return len(a & b) / len(a | b) if a or b else 1.0


def load_en():
    p = os.path.join(data, "tokenizers", "en_vimdoc_1mb.txt")
    if os.path.exists(p):
        text = open(p, encoding="utf-8").read()
    else:
        sample = os.path.join(here, "..", "tests", "data", "sample", "debian-faq.jsonl")
        text = "\n\n".join(json.loads(l)["text"] for l in open(sample, encoding="utf-8"))
    paras = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in paras if len(p.split()) >= 8]


def load_zh():
    p = os.path.join(data, "tokenizers", "zh_cold_2mb.txt")
    if not os.path.exists(p):
        return []
    return [l.strip() for l in open(p, encoding="utf-8") if len(l.strip()) >= 20]


def bases(units, n, size, measure):
    """n documents of consecutive units, each at least size long, from
    disjoint, spread-out stretches of the source."""
    docs, i, step = [], 0, max(1, len(units) // max(n, 1))
    while len(docs) < n and i < len(units):
        cur, j = [], i
        while j < len(units) and sum(measure(u) for u in cur) < size:
            cur.append(units[j])
            j += 1
        docs.append(cur)
        i = max(j, i + step)
    return docs


class Lang:
    def __init__(self, name, units, boiler):
        self.name, self.boiler = name, boiler.split("\n")
        self.zh = name == "zh"
        if self.zh:
            self.vocab = [c for u in units for c in u if TOK.fullmatch(c)]
        else:
            self.vocab = [w for u in units for w in u.split() if w.isalpha()]

    # a document is a list of paragraphs; a paragraph a list of items
    # (words for en, characters for zh)
    def split(self, paras):
        return [list(p) if self.zh else p.split() for p in paras]

    def join(self, doc):
        sep = "" if self.zh else " "
        return "\n\n".join(sep.join(p) for p in doc if p)

    def positions(self, doc):
        return [(i, j) for i, p in enumerate(doc) for j in range(len(p))]

    def boiler_items(self, r, k):
        lines, out = self.boiler, []
        start = r.randrange(len(lines))
        while len(out) < k:
            line = lines[start % len(lines)]
            out += list(line) if self.zh else line.split()
            start += 1
        return out[:k]

    def mutate(self, doc, kind, k, r):
        doc = [list(p) for p in doc]
        if kind == "mixed":
            for sub in ("subst", "insert", "delete"):
                doc = self.mutate(doc, sub, k // 3, r)
            if k:
                r.shuffle(doc)
            return doc
        if kind == "reorder":
            r.shuffle(doc)
            return self.mutate(doc, "subst", k, r)
        if kind == "boiler":
            items = self.boiler_items(r, k)
            top = items[: len(items) // 2]
            return ([top] if top else []) + doc + [items[len(items) // 2:]]
        pos = self.positions(doc)
        k = min(k, len(pos) - 1)
        picks = sorted(r.sample(pos, k), reverse=True)
        for i, j in picks:
            if kind == "subst":
                doc[i][j] = r.choice(self.vocab)
            elif kind == "insert":
                doc[i].insert(j, r.choice(self.vocab))
            elif kind == "delete":
                del doc[i][j]
        return doc


def target_k(lang, doc, kind, target, seed):
    """Smallest k whose mutant's quick Jaccard is <= target."""
    base = lang.join(doc)
    nitems = sum(len(p) for p in doc)
    hi = nitems * (3 if kind in ("insert", "boiler") else 1)
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        m = lang.join(lang.mutate(doc, kind, mid, random.Random(seed)))
        if jac(base, m) > target:
            lo = mid + 1
        else:
            hi = mid
    return lo


KINDS = ["subst", "insert", "delete", "reorder", "boiler", "mixed"]
rows, all_docs = [], []
for name, units, size, boiler, measure in (
        ("en", load_en(), 250, EN_BOILER, lambda u: len(u.split())),
        ("zh", load_zh(), 600, ZH_BOILER, len)):
    if not units:
        print(f"note: no source text for {name}; skipped", file=sys.stderr)
        continue
    lang = Lang(name, units, boiler)
    recs = []
    for b, paras in enumerate(bases(units, n_per, size, measure)):
        doc = lang.split(paras)
        u = rnd.random()
        target = (rnd.uniform(0.86, 1.0) if u < 0.4 else
                  rnd.uniform(0.30, 0.59) if u < 0.8 else rnd.uniform(0.6, 0.85))
        kind = KINDS[b % len(KINDS)]
        seed = rnd.randrange(1 << 30)
        k = target_k(lang, doc, kind, target, seed)
        mut = lang.mutate(doc, kind, k, random.Random(seed))
        bid, mid = f"{name}-{b:04d}-base", f"{name}-{b:04d}-mut"
        recs += [(bid, lang.join(doc)), (mid, lang.join(mut))]
        rows.append((name, bid, mid, kind, f"{target:.3f}", str(k)))
    # import order: shuffled, so a mutant may come before its base
    order = list(range(len(recs)))
    rnd.shuffle(order)
    with open(os.path.join(out, f"{name}.docs"), "wb") as f:
        for i in order:
            t = recs[i][1].encode("utf-8")
            f.write(f"{recs[i][0]}\t{len(t)}\n".encode() + t + b"\n")
    all_docs += [recs[i] for i in order]
with open(os.path.join(out, "docs.jsonl"), "w", encoding="utf-8") as f:
    for i, t in all_docs:
        f.write(json.dumps({"id": i, "text": t, "source": "bench"},
                           ensure_ascii=False) + "\n")
with open(os.path.join(out, "pairs.tsv"), "w") as f:
    f.write("lang\tbase\tmutant\tkind\ttarget\tk\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(f"{out}: {len(all_docs)} documents, {len(rows)} pairs")
