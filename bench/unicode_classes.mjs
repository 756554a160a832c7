// unicode_classes.mjs: node's (ICU) code points of each \p{..} class the
// tokenizer regexes use, as JSON.  Used by gen_bpe_unicode.py.
const cls = ["L","N","Lu","Ll","Lt","Lm","Lo","M"];
const re = Object.fromEntries(cls.map(c => [c, new RegExp(`^\\p{${c}}$`, "u")]));
const out = {};
for (const c of cls) out[c] = [];
for (let cp = 0; cp <= 0x10FFFF; cp++) {
	if (cp >= 0xD800 && cp <= 0xDFFF) continue;
	const s = String.fromCodePoint(cp);
	for (const c of cls) if (re[c].test(s)) out[c].push(cp);
}
console.log(JSON.stringify(out));
