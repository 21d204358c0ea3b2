// Summarises a .cpuprofile: self time per function, highest first.
// node benches/lib/cpuprofile-top.js <file.cpuprofile> [count]
import fs from 'node:fs';

const [file, countArg] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const f = node.callFrame;
  const where =
    f.url === ''
      ? ''
      : ` ${f.url.replace(/^.*\/(node_modules|dist|benches)\//, '$1/')}:${f.lineNumber + 1}`;
  const key = `${f.functionName || '(anonymous)'}${where}`;
  self.set(key, (self.get(key) ?? 0) + dt[i]);
  total += dt[i];
}
const rows = [...self]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(countArg ?? 25));
for (const [k, v] of rows) {
  process.stdout.write(
    `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`,
  );
}
