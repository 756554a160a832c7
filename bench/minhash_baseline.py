#!/usr/bin/env python3
"""bench/minhash_baseline.py: the datatrove-equivalent MinHash baseline.

Neither datatrove nor text-dedup can be installed here (PyPI is out of
reach; Debian has no datasketch), so this is a straightforward Python
rendering of the algorithm they run for FineWeb, used as the baseline in
bench/bench_minhash.sh.  It is *not* datatrove; it follows its
MinhashDedupSignature step:
  - text: NFKC + casefold, word tokens = runs of letters/digits, with each
    CJK / kana / Thai character its own token (datatrove uses a language
    word tokenizer instead);
  - shingles: 5-grams of tokens joined by a space, hashed to 64 bits with
    the first 8 bytes of SHA-1 (datatrove's sha1_hash64; xxhash is not in
    the standard library);
  - signature: numpy (a * x + b) % (2^61 - 1) over uint64, which wraps at
    2^64 exactly as datatrove's numpy code does, min over shingles;
    112 permutations, 14 bands x 8 rows; a, b from numpy's RandomState(1).
Without numpy it falls back to pure Python with exact arithmetic.

  minhash_baseline.py speed para|line FILE...
  minhash_baseline.py pairs DIR
Output format matches bench/bench_minhash.c.
"""
import hashlib
import re
import struct
import sys
import time
import unicodedata

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

P = (1 << 61) - 1
PERMS, BANDS, ROWS, N = 112, 14, 8, 5
UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005-\u3007"
            "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
            "\uf900-\ufaff\U00020000-\U0003ffff")
TOKEN = re.compile("[%s]|[^\\W_%s]+" % (UNSPACED, UNSPACED))
CHAR = re.compile("[%s]" % UNSPACED)


def tokens(text):
    return TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text):
    toks = tokens(text)
    if not toks:
        return []
    n = min(N, len(toks))
    grams = {" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1)}
    return sorted({struct.unpack("<Q", hashlib.sha1(g.encode()).digest()[:8])[0]
                   for g in grams})


if np is not None:
    _rs = np.random.RandomState(1)
    A = _rs.randint(1, P, size=PERMS, dtype=np.uint64)
    B = _rs.randint(0, P, size=PERMS, dtype=np.uint64)
    _P = np.uint64(P)

    def signature(sh):
        if not sh:
            return [2**64 - 1] * PERMS
        x = np.asarray(sh, dtype=np.uint64).reshape(-1, 1)
        with np.errstate(over="ignore"):
            return np.min((x * A + B) % _P, axis=0).tolist()
else:
    import random
    _r = random.Random(1)
    A = [_r.randrange(1, P) for _ in range(PERMS)]
    B = [_r.randrange(0, P) for _ in range(PERMS)]

    def signature(sh):
        if not sh:
            return [2**64 - 1] * PERMS
        return [min((a * x + b) % P for x in sh) for a, b in zip(A, B)]


def bands(sig):
    return [hash(tuple(sig[i * ROWS:(i + 1) * ROWS])) for i in range(BANDS)]


def speed(mode, files):
    text = "\n\n".join(open(f, encoding="utf-8", errors="replace").read()
                       for f in files)
    sep = "\n\n" if mode == "para" else "\n"
    docs = [d for d in text.split(sep) if d.strip("\n")]
    nbytes = sum(len(d.encode()) for d in docs)
    t_sh = t_sig = 0.0
    total = 0
    for d in docs:
        t0 = time.process_time()
        sh = shingles(d)
        t1 = time.process_time()
        if sh:
            bands(signature(sh))
        t_sig += time.process_time() - t1
        t_sh += t1 - t0
        total += len(sh)
    print("docs %d\nbytes %d\nshingles %d\npasses 1" % (len(docs), nbytes, total))
    print("shingle_s %.4f\nsignature_s %.4f" % (t_sh, t_sig))
    print("mb_per_s %.2f\nshingle_mb_per_s %.2f\nsig_mshingles_per_s %.3f" % (
        nbytes / 1e6 / (t_sh + t_sig), nbytes / 1e6 / t_sh,
        total / 1e6 / t_sig))
    print("numpy %s" % ("yes" if np is not None else "no"))


def pairs(d):
    def load(name):
        with open("%s/texts/%s" % (d, name), encoding="utf-8",
                  errors="replace") as f:
            sh = shingles(f.read())
        sig = signature(sh)
        return set(sh), sig, bands(sig)

    orig = {t: load("orig_task%s.txt" % t) for t in "abcde"}
    with open("%s/file_information.csv" % d) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) != 3 or parts[2] not in ("cut", "light", "heavy", "non"):
                continue
            name, task, cat = parts
            s, sig, bd = load(name)
            os_, osig, obd = orig[task]
            union = len(s | os_)
            exact = len(s & os_) / union if union else 1.0
            est = sum(x == y for x, y in zip(sig, osig)) / PERMS
            cand = int(any(x == y for x, y in zip(bd, obd)))
            cont = len(s & os_) / len(s) if s else 0.0
            print("%s\t%s\t%.4f\t%.4f\t%d\t%.4f" % (name, cat, exact, est, cand, cont))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "speed":
        speed(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "pairs":
        pairs(sys.argv[2])
    else:
        sys.exit("usage: minhash_baseline.py speed para|line FILE... | pairs DIR")
