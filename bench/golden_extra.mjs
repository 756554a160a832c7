// golden_extra.mjs: more golden cases from the reference (npm tiktoken
// 1.0.22, OpenAI's Rust core in WASM), aimed at where PCRE2 and Rust's regex
// crate could disagree: Unicode White_Space (U+0085...), characters new in
// Unicode 15, case-insensitive contractions, non-ASCII digits.
//   cd bench && node golden_extra.mjs > ../tests/data/tokenizers/golden_extra.jsonl
import { get_encoding } from "tiktoken";

const texts = [
	"a\u0085\u0085b", "x \u0085y", "hello\u0085 world", "\u0085\u0085\u0085",
	"end\u0085", "a\u0085\n b", " \u0085", "\u0085 ", "x\u0085\u0085\u0085!",
	"word \u0085\u0085", "a\u0085.b", "!!\u0085\u0085x",
	"a\u2028\u2028b", "x\u2029 y", "a \u180e b", "a\u180e\u180eb",
	"a\ufeff\ufeff b", "a\u200b\u200bb", " \u200b", "a\u3000\u3000b",
	"\u3000\u3000\u3000x", "a\u00a0\u00a0\u00a0b", "x\u202f\u205f y",
	"a\u1680b \u1680", "tab\t\t\u000b\u000cx", "\r\n\r\n  \r\n", "  \n\n  x",
	"it\u017f it'\u017f IT'S it'S IT'LL they'Re \u212a'd 'K",
	"don't DON'T Don'T we've WE'VE I'm I'M you'd",
	"\u0661\u0662\u0663\u0664\u0665 \uff11\uff12\uff13\uff14 \u00b2\u00b3\u00b9 \u2160\u2161",
	"e\u0301te\u0301 \u0939\u093f\u0928\u094d\u0926\u0940 \u0e2a\u0e27\u0e31\u0e2a",
	// Unicode 15.0 additions (Kawi, Kaktovik numerals, CJK Ext H, Cyrillic
	// Ext-D, Latin Ext-G, Arabic Ext-C, Devanagari Ext-A, Nag Mundari)
	"a\u{11F04}\u{11F05}b \u{11F50}\u{11F51}", "n\u{1D2C0}\u{1D2C1}\u{1D2C2}\u{1D2C3}",
	"\u{31350}\u{31351}x", "q\u{1E030}\u{1E031}r", "\u{1DF25}\u{1DF26}z",
	"ab\u{10EFD}cd", "\u{11B00}\u{11B01} t", "\u{1E4D0}\u{1E4D1}\u{1E4F0}\u{1E4F1}",
	// Unicode 15.1 (CJK Ext I) and 16.0 (Garay, Todhri, Kirat Rai digits)
	"\u{2EBF0}\u{2EBF1}y", "g\u{10D50}\u{10D51}\u{10D40}\u{10D41}",
	"\u{105C0}\u{105C1} \u{16D70}\u{16D71}",
	"\u{1F468}\u200d\u{1F469}\u200d\u{1F467} \u{1F1EF}\u{1F1F5}!",
	"x    \ny", "   ", "\n   \n", "a  b   c    d",
	// whitespace runs with newlines at the end of the text, where upstream's
	// possessive \s++$ and npm's pat_str split differently
	"a  \n  ", "a \n\n \t ", "x\n ", "x \n", "a\r\n  \r\n   ", "x\n    ",
	"x\n        ", "x\n\t", "x\n\n   ", "}\n   ", "a\u00a0\n\u3000", "b\n\u0085",
];
// Each probe char before "'s" and "123": a letter, a digit, a space and a
// symbol split these differently, so a class disagreement shows in the ids.
const probes = [
	"\u0085", "\u2028", "\u180e", "\ufeff", "\u00a0", "\u3000", "\u200b",
	"\u{11F04}", "\u{31350}", "\u{2EBF0}", "\u{10D50}", "\u{1E030}",
	"\u{1DF25}", "\u{105C0}", "\u{1E4D0}", "\u{1D2C0}", "\u{1E4F0}",
	"\u{10D40}", "\u{16D70}", "\u{11F50}", "\u{10EFD}", "\u{11F00}",
];
for (const p of probes)
	texts.push(p + "'s", "x" + p + "123", p + p + " y", "A" + p + "b's",
		   p + "\n", " " + p + "Ab");
for (const name of ["r50k_base", "cl100k_base", "o200k_base"]) {
	const enc = get_encoding(name);
	for (const t of texts) {
		const ids = Array.from(enc.encode_ordinary(t));
		const b64 = Buffer.from(t, "utf8").toString("base64");
		console.log(JSON.stringify({ enc: name, special: false, text_b64: b64, ids }));
	}
	enc.free();
}
