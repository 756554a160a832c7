#!/usr/bin/env python3
"""Regenerate bad/NAME.safetensors + bad/NAME.err (the expected substring of
the reader's error message) for tests/test_safetensors.c.  Each case breaks
one rule of the format; the files are committed, so the test needs no
Python.  Run from this directory: python3 make_bad.py"""
import json, os, struct

OUT = "bad"

def t(dtype, shape, offs):
    return {"dtype": dtype, "shape": shape, "data_offsets": offs}

def image(header, data=b"", n=None, pad=True):
    """header: str (raw JSON text) or dict; n overrides the length field."""
    h = header if isinstance(header, (str, bytes)) else \
        json.dumps(header, separators=(",", ":"))
    if isinstance(h, str):
        h = h.encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h) if n is None else n) + h + data

W = {"w": t("F32", [2], [0, 8])}
CASES = {
    # the length field and the file size
    "empty": (b"", "file is 0 bytes, too short"),
    "seven_bytes": (b"\x08\0\0\0\0\0\0", "file is 7 bytes, too short"),
    "header_over_limit": (image("{}", n=100000001),
                          "header length 100000001 is over the limit"),
    "header_len_u64_max": (image("{}", n=2**64 - 1),
                           "header length 18446744073709551615 is over"),
    "header_beyond_file": (image("{}", n=100), "goes beyond the end of the file"),
    "header_zero_length": (image("", n=0), "header is not valid JSON"),
    # the JSON itself
    "not_json": (image("hello world"), "header is not valid JSON"),
    "truncated_json": (image('{"w":{"dtype":"F32"'), "header is not valid JSON"),
    "invalid_utf8": (image(b'{"w\xff":{}}'), "header is not valid JSON"),
    "nul_in_name": (image('{"a\\u0000b":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}',
                          b"x"), "header is not valid JSON"),
    "int_too_big": (image('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,99999999999999999999]}}'),
                    "too big integer"),
    "top_level_array": (image("[1,2]"), "header is not a JSON object"),
    "trailing_garbage": (image("{}x"), "bytes other than spaces after the JSON"),
    "trailing_newline": (image("{}\n"), "bytes other than spaces after the JSON"),
    "duplicate_key": (image('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                            '"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"xy"),
                      "duplicate object key"),
    # one tensor entry
    "entry_not_object": (image({"w": [1]}), "tensor 'w': entry is not an object"),
    "missing_dtype": (image({"w": {"shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
                      "tensor 'w': missing 'dtype'"),
    "missing_offsets": (image({"w": {"dtype": "F32", "shape": [2]}}, b"\0" * 8),
                        "tensor 'w': missing 'data_offsets'"),
    "extra_key": (image({"w": dict(t("F32", [2], [0, 8]), foo=1)}, b"\0" * 8),
                  "tensor 'w': unexpected key 'foo'"),
    "dtype_not_string": (image({"w": t(4, [2], [0, 8])}, b"\0" * 8),
                         "tensor 'w': dtype is not a string"),
    "unknown_dtype": (image({"w": t("F33", [2], [0, 8])}, b"\0" * 8),
                      "tensor 'w': unknown dtype 'F33'"),
    "dtype_lowercase": (image({"w": t("f32", [2], [0, 8])}, b"\0" * 8),
                        "unknown dtype 'f32'"),
    "shape_not_array": (image({"w": t("F32", 2, [0, 8])}, b"\0" * 8),
                        "tensor 'w': shape is not an array"),
    "shape_negative": (image({"w": t("F32", [2, -1], [0, 8])}, b"\0" * 8),
                       "shape dim 1 is not a non-negative integer"),
    "shape_float": (image('{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}', b"\0" * 8),
                    "shape dim 0 is not a non-negative integer"),
    "shape_string": (image({"w": t("F32", ["2"], [0, 8])}, b"\0" * 8),
                     "shape dim 0 is not a non-negative integer"),
    "shape_null": (image({"w": t("F32", None, [0, 8])}, b"\0" * 8),
                   "shape is not an array"),
    "shape_product_overflow": (image({"w": t("U8", [2**32, 2**32], [0, 8])}, b"\0" * 8),
                               "element count overflows"),
    "shape_bytes_overflow": (image({"w": t("F32", [2**62], [0, 8])}, b"\0" * 8),
                             "byte size overflows"),
    "offsets_not_array": (image({"w": t("F32", [2], 8)}, b"\0" * 8),
                          "data_offsets is not an array of two"),
    "offsets_three": (image({"w": t("F32", [2], [0, 8, 8])}, b"\0" * 8),
                      "data_offsets is not an array of two"),
    "offsets_one": (image({"w": t("F32", [2], [8])}, b"\0" * 8),
                    "data_offsets is not an array of two"),
    "offsets_negative": (image({"w": t("F32", [2], [-8, 0])}, b"\0" * 8),
                         "data_offsets is not an array of two"),
    "offsets_float": (image('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}', b"\0" * 8),
                      "data_offsets is not an array of two"),
    "offsets_reversed": (image({"w": t("F32", [0], [8, 0])}, b"\0" * 8),
                         "tensor 'w': data_offsets [8,0] are reversed"),
    "size_mismatch": (image({"w1": t("F32", [3, 4], [0, 40])}, b"\0" * 40),
                      "tensor 'w1': shape [3,4] F32 needs 48 bytes, data_offsets span 40"),
    "size_mismatch_scalar": (image({"s": t("F64", [], [0, 4])}, b"\0" * 4),
                             "shape [] F64 needs 8 bytes, data_offsets span 4"),
    # the tensors against the data region
    "data_short": (image({"w": t("F32", [2], [0, 8])}, b"\0" * 4),
                   "tensor 'w': data_offsets [0,8] end beyond the data region (4 bytes)"),
    "gap_at_start": (image({"w": t("F32", [1], [4, 8])}, b"\0" * 8),
                     "tensor 'w': gap of 4 bytes before it: data_offsets start at 4, not 0"),
    "gap": (image({"a": t("F32", [1], [0, 4]), "b": t("F32", [1], [8, 12])}, b"\0" * 12),
            "tensor 'b': gap of 4 bytes before it: data_offsets start at 8, tensor 'a' ends at 4"),
    "overlap": (image({"a": t("F32", [2], [0, 8]), "b": t("F32", [2], [4, 12])}, b"\0" * 12),
                "tensor 'b': data_offsets [4,12] overlap tensor 'a' which ends at 8"),
    "same_offsets": (image({"a": t("F32", [1], [0, 4]), "b": t("I32", [1], [0, 4])}, b"\0" * 4),
                     "overlap tensor 'a'"),
    "empty_inside": (image({"a": t("F32", [2], [0, 8]), "e": t("F32", [0], [4, 4])}, b"\0" * 8),
                     "tensor 'e': data_offsets [4,4] overlap tensor"),
    "trailing_bytes": (image({"w": t("F32", [2], [0, 8])}, b"\0" * 12),
                       "4 trailing bytes after the last tensor"),
    "no_tensors_with_data": (image({}, b"\0" * 4), "4 trailing bytes after the last tensor"),
    # __metadata__
    "meta_not_object": (image({"__metadata__": "x"}), "__metadata__ is not an object"),
    "meta_null": (image({"__metadata__": None}), "__metadata__ is not an object"),
    "meta_value_number": (image({"__metadata__": {"a": "b", "k": 1}}),
                          "__metadata__ value of 'k' is not a string"),
    "meta_value_object": (image({"__metadata__": {"k": {}}}),
                          "__metadata__ value of 'k' is not a string"),
}

os.makedirs(OUT, exist_ok=True)
for name, (data, want) in CASES.items():
    with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, name + ".err"), "w") as f:
        f.write(want + "\n")
print(len(CASES), "cases")
