// peer_readability.js IDS HTML_DIR OUT_DIR: Mozilla Readability (readability.js)
// on linkedom over <id>.html.gz, writing article.textContent to <id>.txt;
// prints the pages/s of the extraction itself (startup and reading excluded).
const fs = require('fs');
const zlib = require('zlib');
const { parseHTML } = require('linkedom');
const { Readability } = require('@mozilla/readability');

const [idsPath, htmlDir, outDir] = process.argv.slice(2);
const ids = fs.readFileSync(idsPath, 'utf8').split('\n').filter(Boolean);
const pages = ids.map(id => zlib.gunzipSync(
	fs.readFileSync(`${htmlDir}/${id}.html.gz`)).toString('utf8'));
let spent = 0n;
ids.forEach((id, i) => {
	const t = process.hrtime.bigint();
	let text = '';
	try {
		const { document } = parseHTML(pages[i]);
		const art = new Readability(document).parse();
		text = art && art.textContent ? art.textContent : '';
	} catch (e) {
		text = '';
	}
	spent += process.hrtime.bigint() - t;
	fs.writeFileSync(`${outDir}/${id}.txt`, text);
});
console.log((ids.length / (Number(spent) / 1e9)).toFixed(1));
