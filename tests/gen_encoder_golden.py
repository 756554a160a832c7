#!/usr/bin/python3
"""gen_encoder_golden.py: the PyTorch reference for model/encoder.c.

Builds a small seeded encoder of sluice's architecture with torch.nn
(token + learned position embeddings, pre-LayerNorm blocks of multi-head
self-attention with a key padding mask and an erf-GELU MLP, final
LayerNorm, mean over the real tokens, linear head), writes it as
safetensors with the metadata model/encoder.c reads (a byte-only
tokenizer: ranks 0..255 are the bytes, 256 is <|endoftext|>), and dumps
a padded batch's ids, lengths, labels, logits (float64 reference) and the
gradients of the mean cross-entropy for that batch.  tests/test_encoder.c
compares the C forward and backward passes to these, so CI needs no torch.

    /usr/bin/python3 tests/gen_encoder_golden.py tests/data/encoder

With a second argument, also a tiny model (vocab 257, dim 4) as the seed
of the fuzz target tests/fuzz/fuzz_encoder.c:

    ... tests/data/encoder tests/fuzz/corpus/encoder
"""
import base64
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

CFG = dict(vocab=300, dim=32, layers=2, heads=4, ffn=64, max_len=16)
LABELS = ["a", "b", "c"]
LENS = [16, 7, 1, 11]
TEXTS = ["hi there, \u4f60\u597d\u4e16\u754c and more bytes", "", "ok"]


class Attn(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, mask):
        B, T, d = x.shape
        hd = d // self.h
        q, k, v = self.qkv(x).split(d, dim=-1)
        q, k, v = (t.view(B, T, self.h, hd).transpose(1, 2) for t in (q, k, v))
        s = q @ k.transpose(-1, -2) / math.sqrt(hd)
        s = s.masked_fill(~mask[:, None, None, :], float("-inf"))
        o = F.softmax(s, dim=-1) @ v
        return self.proj(o.transpose(1, 2).reshape(B, T, d))


class MLP(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.fc1 = nn.Linear(d, f)
        self.fc2 = nn.Linear(f, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # erf form, nn.GELU's default


class Block(nn.Module):
    def __init__(self, d, h, f):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attn(d, h)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = MLP(d, f)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class Encoder(nn.Module):
    def __init__(self, c, nlabels):
        super().__init__()
        self.tok_emb = nn.Embedding(c["vocab"], c["dim"])
        self.pos_emb = nn.Embedding(c["max_len"], c["dim"])
        self.blocks = nn.ModuleList(Block(c["dim"], c["heads"], c["ffn"])
                                    for _ in range(c["layers"]))
        self.ln_f = nn.LayerNorm(c["dim"])
        self.head = nn.Linear(c["dim"], nlabels)

    def forward(self, ids, lens):
        B, T = ids.shape
        mask = torch.arange(T)[None, :] < lens[:, None]
        x = self.tok_emb(ids) + self.pos_emb(torch.arange(T))[None]
        for b in self.blocks:
            x = b(x, mask)
        x = self.ln_f(x) * mask[..., None]
        return self.head(x.sum(1) / lens[:, None].to(x.dtype))


def write_safetensors(path, tensors, meta):
    header = {}
    if meta:
        header["__metadata__"] = meta
    blobs, off = [], 0
    for name in sorted(tensors):
        a = tensors[name].detach().to(torch.float32).contiguous()
        raw = struct.pack("<%df" % a.numel(), *a.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def byte_tokenizer(pat_src):
    ranks = "".join("%s %d\n" % (base64.b64encode(bytes([i])).decode(), i)
                    for i in range(256))
    with open(pat_src) as f:
        pat = json.load(f)["pat_str"]
    js = json.dumps({"pat_str": pat, "special_tokens": {"<|endoftext|>": 256},
                     "explicit_n_vocab": 257})
    return ranks, js


def main():
    out = sys.argv[1]
    torch.manual_seed(5)
    m = Encoder(CFG, len(LABELS))
    with torch.no_grad():
        for p in m.parameters():  # LayerNorm gains and biases too
            p.normal_(0.0, 0.3)
        for b in m.blocks:
            b.ln1.weight.add_(1.0)
            b.ln2.weight.add_(1.0)
        m.ln_f.weight.add_(1.0)
    # Round to float32 once, then compute the reference in float64.
    sd = {k: v.to(torch.float32) for k, v in m.state_dict().items()}
    ranks, tjs = byte_tokenizer("model/data/cl100k_base.json")
    cfg = dict(CFG, pool="max")
    write_safetensors(out + "/model.safetensors", sd, {
        "arch": "encoder", "config": json.dumps(cfg),
        "labels": json.dumps(LABELS), "tokenizer": ranks,
        "tokenizer_json": tjs})
    m = m.double()

    g = torch.Generator().manual_seed(7)
    T = max(LENS)
    ids = torch.randint(0, CFG["vocab"], (len(LENS), T), generator=g)
    lens = torch.tensor(LENS)
    for i, n in enumerate(LENS):
        ids[i, n:] = 0  # padding: masked out, any id
    labels = torch.tensor([0, 2, 1, 2])
    logits = m(ids, lens)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    write_safetensors(out + "/grads.safetensors",
                      {k: p.grad for k, p in m.named_parameters()}, None)

    # Texts through the byte tokenizer, windows of max_len, max-pooled.
    text_probs = []
    with torch.no_grad():
        for t in TEXTS:
            b = list(t.encode()) or [256]
            wins = [b[i:i + CFG["max_len"]]
                    for i in range(0, len(b), CFG["max_len"])]
            ps = []
            for w in wins:
                lg = m(torch.tensor([w]), torch.tensor([len(w)]))
                ps.append(F.softmax(lg, -1)[0])
            p = torch.stack(ps).max(0).values
            text_probs.append((p / p.sum()).tolist())

    with open(out + "/golden.json", "w") as f:
        json.dump({"lens": LENS,
                   "ids": [ids[i, :n].tolist() for i, n in enumerate(LENS)],
                   "labels": labels.tolist(), "loss": loss.item(),
                   "logits": logits.tolist(), "texts": TEXTS,
                   "text_probs": text_probs}, f, ensure_ascii=False)
        f.write("\n")


def tiny(out):
    torch.manual_seed(1)
    c = dict(vocab=257, dim=4, layers=1, heads=2, ffn=4, max_len=4)
    m = Encoder(c, 2)
    ranks, tjs = byte_tokenizer("model/data/cl100k_base.json")
    write_safetensors(out + "/tiny", m.state_dict(), {
        "arch": "encoder", "config": json.dumps(dict(c, pool="mean")),
        "labels": json.dumps(["no", "yes"]), "tokenizer": ranks,
        "tokenizer_json": tjs})


if __name__ == "__main__":
    main()
    if len(sys.argv) > 2:
        tiny(sys.argv[2])
