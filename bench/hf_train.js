// hf_train.js TEXTFILE OUT.json: train Hugging Face tokenizers' byte-level
// BPE (the npm binding of the Rust crate) on TEXTFILE: GPT-2's regex
// pre-tokenizer, the binding's default BpeTrainer (vocab 30000: the node
// binding does not expose the trainer's options).
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers');
const [file, out] = process.argv.slice(2);
const tok = new Tokenizer(BPE.empty());
tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
const t0 = Date.now();
tok.train([file]);
tok.save(out);
console.log(`hf: vocab ${tok.getVocabSize()} in ${(Date.now() - t0) / 1000}s`);
