// unicode_probe.mjs: how the reference (npm tiktoken 1.0.22) classes each code point
// of stdin's {"L":{"add":[..]},...}: letter ("'s" splits off in cl100k_base),
// number (\p{N}{1,3} takes it), letter-or-mark (o200k_base). Used by gen_bpe_unicode.py.
import { get_encoding } from "tiktoken";
import { readFileSync } from "node:fs";
const diff = JSON.parse(readFileSync(0));
const cl = get_encoding("cl100k_base"), o2 = get_encoding("o200k_base");
const last = (a, n) => Array.from(a.slice(a.length - n));
const s_cl = Array.from(cl.encode_ordinary("'s")), s_o2 = Array.from(o2.encode_ordinary("'s"));
const d12 = Array.from(cl.encode_ordinary("12")).concat(Array.from(cl.encode_ordinary("3")));
const res = { L: [], N: [], LMo: [], notL: [], notN: [], notLMo: [] };
const all = new Set([...diff.L.add, ...diff.N.add, ...diff.M.add, 0x295]);
for (const cp of all) {
	const c = String.fromCodePoint(cp);
	const a = cl.encode_ordinary(c + "'s");
	(last(a, 1)[0] === s_cl[0] ? res.L : res.notL).push(cp);
	const b = cl.encode_ordinary("x" + c + "123");
	(JSON.stringify(last(b, 2)) === JSON.stringify(d12) ? res.N : res.notN).push(cp);
	const o = o2.encode_ordinary(c + "'s");
	(last(o, 1)[0] === s_o2[0] ? res.LMo : res.notLMo).push(cp);
}
console.log(JSON.stringify(res));
