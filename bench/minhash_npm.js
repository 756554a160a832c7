// bench/minhash_npm.js: the npm package `minhash` (0.0.9, MIT, D. Duhaime)
// run on the same documents as bench/bench_minhash.c.  Its Minhash class
// hashes a shingle string to 32 bits and applies (a x + b) mod 4294967311
// in doubles; its LshIndex joins bandSize values into a band key.  We feed
// it the same tokens (NFKC + lowercase, letter/digit runs, one token per
// CJK / kana / Thai char) and 5-gram shingles, 112 perms, bands of 8.
//
//   node minhash_npm.js speed para|line FILE...
//   node minhash_npm.js pairs DIR
// NODE_PATH must reach the installed package (bench_minhash.sh sets it).
'use strict';
const fs = require('fs');
const { Minhash, LshIndex } = require('minhash');

const PERMS = 112, ROWS = 8, N = 5;
const UNSPACED = '\\u0e00-\\u0eff\\u1000-\\u109f\\u1780-\\u17ff' +
  '\\u3005-\\u3007\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf' +
  '\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3ffff}';
const TOKEN = new RegExp('[' + UNSPACED + ']|(?:(?![' + UNSPACED +
  '])[\\p{L}\\p{N}\\p{M}])+', 'gu');

function tokens(text) {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) || [];
}

function shingles(text) {
  const t = tokens(text);
  if (t.length === 0) return [];
  const n = Math.min(N, t.length), s = new Set();
  for (let i = 0; i + n <= t.length; i++) s.add(t.slice(i, i + n).join(' '));
  return [...s];
}

// CPU seconds of this process (user + system): the machine is shared.
function cpuNow() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function sign(sh) {
  const m = new Minhash({ numPerm: PERMS, seed: 1 });
  for (const g of sh) m.update(g);
  return m;
}

function speed(mode, files) {
  const text = files.map(f => fs.readFileSync(f, 'utf8')).join('\n\n');
  const docs = text.split(mode === 'para' ? '\n\n' : '\n')
    .filter(d => d.replace(/\n/g, '').length > 0);
  const index = new LshIndex({ bandSize: ROWS });
  let bytes = 0, total = 0, tsh = 0, tsig = 0;
  for (const d of docs) {
    bytes += Buffer.byteLength(d);
    const t0 = cpuNow();
    const sh = shingles(d);
    const t1 = cpuNow();
    if (sh.length) index.getHashbands(sign(sh));
    tsig += (cpuNow() - t1);
    tsh += (t1 - t0);
    total += sh.length;
  }
  console.log(`docs ${docs.length}\nbytes ${bytes}\nshingles ${total}\npasses 1`);
  console.log(`shingle_s ${tsh.toFixed(4)}\nsignature_s ${tsig.toFixed(4)}`);
  console.log(`mb_per_s ${(bytes / 1e6 / (tsh + tsig)).toFixed(2)}`);
  console.log(`shingle_mb_per_s ${(bytes / 1e6 / tsh).toFixed(2)}`);
  console.log(`sig_mshingles_per_s ${(total / 1e6 / tsig).toFixed(3)}`);
}

function pairs(dir) {
  const index = new LshIndex({ bandSize: ROWS });
  const load = name => {
    const sh = shingles(fs.readFileSync(`${dir}/texts/${name}`, 'utf8'));
    const m = sign(sh);
    return { set: new Set(sh), m, bands: index.getHashbands(m) };
  };
  const orig = {};
  for (const t of 'abcde') orig[t] = load(`orig_task${t}.txt`);
  for (const line of fs.readFileSync(`${dir}/file_information.csv`, 'utf8').split('\n')) {
    const [name, task, cat] = line.trim().split(',');
    if (!['cut', 'light', 'heavy', 'non'].includes(cat)) continue;
    const a = load(name), o = orig[task];
    let inter = 0;
    for (const g of a.set) if (o.set.has(g)) inter++;
    const union = a.set.size + o.set.size - inter;
    const exact = union ? inter / union : 1;
    const est = a.m.jaccard(o.m);
    const cand = a.bands.some((b, i) => b === o.bands[i]) ? 1 : 0;
    const cont = a.set.size ? inter / a.set.size : 0;
    console.log([name, cat, exact.toFixed(4), est.toFixed(4), cand,
      cont.toFixed(4)].join('\t'));
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'speed' && rest.length >= 2) speed(rest[0], rest.slice(1));
else if (mode === 'pairs' && rest.length === 1) pairs(rest[0]);
else { console.error('usage: minhash_npm.js speed para|line FILE... | pairs DIR'); process.exit(2); }
