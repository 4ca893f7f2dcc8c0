const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const cat = new Map(); let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const t = p.timeDeltas[i + 1] ?? 0; const n = byId.get(p.samples[i]); const f = n.callFrame;
  if (f.functionName === '(idle)') continue; total += t;
  let k;
  if (!f.url) k = f.functionName.startsWith('(') ? f.functionName : 'native:' + f.functionName;
  else if (f.url.startsWith('node:')) k = 'node:' + f.url.slice(5).split('/')[0].replace(/^internal$/, 'internal/' + f.url.split('/')[2]);
  else if (f.url.includes('node_modules/')) k = 'lib:' + f.url.split('node_modules/').pop().split('/')[0];
  else k = 'app:' + f.url.split('/dist/').pop();
  cat.set(k, (cat.get(k) || 0) + t);
}
const arr = [...cat.entries()].sort((a, b) => b[1] - a[1]);
let app = 0, lib = 0, node = 0, other = 0;
for (const [k, v] of arr) { if (k.startsWith('app:')) app += v; else if (k.startsWith('lib:')) lib += v; else if (k.startsWith('node:')) node += v; else other += v; }
console.log('app', (100 * app / total).toFixed(1), 'lib', (100 * lib / total).toFixed(1), 'node', (100 * node / total).toFixed(1), 'other', (100 * other / total).toFixed(1));
for (const [k, v] of arr.slice(0, 45)) console.log((100 * v / total).toFixed(1).padStart(6) + '%', k);
