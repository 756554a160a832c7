// tiktoken_encode.mjs ENCODING FILE [RUNS]: encode FILE with the reference
// (npm tiktoken 1.0.22: OpenAI's Rust core built to WASM) and print
//   tokens=N bytes=B seconds=S mbps=X
// S is the best of RUNS (default 5) timed encode_ordinary() calls, after
// one warm-up; loading the encoding and reading the file are not timed.
import { get_encoding } from "tiktoken";
import { readFileSync } from "node:fs";

const [name, file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const enc = get_encoding(name);
const bytes = readFileSync(file);
const text = bytes.toString("utf8");
let tokens = enc.encode_ordinary(text).length, best = Infinity;
for (let i = 0; i < runs; i++) {
	const t0 = process.hrtime.bigint();
	tokens = enc.encode_ordinary(text).length;
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	if (s < best) best = s;
}
console.log(`tokens=${tokens} bytes=${bytes.length} seconds=${best.toFixed(4)} ` +
	    `mbps=${(bytes.length / 1e6 / best).toFixed(2)}`);
enc.free();
