#!/usr/bin/python3
"""read_shards.py DIR: read token shards the way nanoGPT and llm.c's Python
loaders do (numpy memmap of the 256 x int32 header and the tokens), check
every header against the file size and the manifest, and print one JSON
line per document: {"split", "shard", "ids"} in file order.  An
independent reader: it shares no code with sluice."""
import hashlib, json, os, sys
import numpy as np

d = sys.argv[1]
man = json.load(open(os.path.join(d, "manifest.json")))
eot = man["tokenizer"]["eot_id"]
dtype = {"uint16": np.uint16, "uint32": np.uint32}[man["dtype"]]
magic, version = (20240520, 1) if dtype is np.uint16 else (20240801, 7)
assert man["magic"] == magic and man["version"] == version, man
for s in man["shards"]:
    path = os.path.join(d, s["file"])
    header = np.memmap(path, dtype=np.int32, mode="r", shape=(256,))
    assert header[0] == magic and header[1] == version, (path, header[:3])
    ntok = int(header[2])
    size = os.path.getsize(path)
    assert size == 1024 + ntok * np.dtype(dtype).itemsize, (path, size, ntok)
    assert ntok == s["tokens"], (path, ntok, s["tokens"])
    assert not header[3:].any(), "header padding not zero"
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == s["sha256"]
    toks = np.memmap(path, dtype=dtype, mode="r", offset=1024, shape=(ntok,))
    # split into documents at the end-of-text tokens
    cuts = np.flatnonzero(toks == eot)
    before = man["eot"] == "before"
    if before:
        assert ntok == 0 or toks[0] == eot, "first token is not EOT"
        bounds = list(cuts) + [ntok]
        docs = [toks[bounds[i] + 1:bounds[i + 1]] for i in range(len(cuts))]
    else:
        assert ntok == 0 or toks[-1] == eot, "last token is not EOT"
        starts = [0] + [c + 1 for c in cuts[:-1]]
        docs = [toks[a:c] for a, c in zip(starts, cuts)]
    assert len(docs) == s["documents"], (path, len(docs), s["documents"])
    for ids in docs:
        print(json.dumps({"split": s["split"], "shard": s["file"],
                          "ids": [int(x) for x in ids]}))
