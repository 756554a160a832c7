#!/usr/bin/env python3
"""Write good/python_layout.safetensors: the file Python's safetensors
writes for the tensors below, produced here by an independent
implementation of its serialize() with only struct and json: tensors sorted
by dtype (descending, in the Rust Dtype enum order) then by name, header in
that order after __metadata__, compact JSON, padded with spaces to a
multiple of 8.  tests/test_safetensors.c builds the same tensors with our
writer and requires identical bytes.  Tensor k's byte j is (31k + 7j) & 0xff
(any bit pattern is a valid value).  Run from this directory."""
import json, struct

ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
         "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
SIZE = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2,
        "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4,
        "F64": 8, "I64": 8, "U64": 8}
# (name, dtype, shape): keep in sync with python_layout in the C test
TENSORS = [
    ("b.weight", "F32", [2, 3]), ("a.bias", "F32", [3]),
    ("emb", "BF16", [2, 2]), ("h", "F16", [3]), ("ids", "I64", [2]),
    ("tok", "I32", [1]), ("q", "I8", [3]), ("flags", "BOOL", [2]),
    ("u", "U8", []), ("d", "F64", [1]), ("zero", "F32", [0, 4]),
    ("\u00fcn\"\n\x01", "U16", [1]), ("e4", "F8_E4M3", [2]),
    ("w", "U32", [1]), ("s", "I16", [2]), ("big", "U64", [1]),
]
META = {"arch": "encoder", "vocab": "50257", "note": "tab\there \u00e9"}

def nbytes(dt, shape):
    n = SIZE[dt]
    for d in shape:
        n *= d
    return n

data = {}
for k, (name, dt, shape) in enumerate(TENSORS):
    data[name] = bytes((31 * k + 7 * j) & 0xFF for j in range(nbytes(dt, shape)))

layout = sorted(TENSORS, key=lambda t: (-ORDER.index(t[1]), t[0].encode()))
header = {"__metadata__": dict(sorted(META.items()))}
off = 0
for name, dt, shape in layout:
    n = len(data[name])
    header[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + n]}
    off += n
h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
h += b" " * (-len(h) % 8)
with open("good/python_layout.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(data[t[0]] for t in layout))
