// The first span of a process against the second: set-up the first span
// pays (an id pool, lazily compiled code) shows as a false gap at the
// start of every trace. Each round is a fresh `node` process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { distUrl } from '../lib/spantrail.js';
import { median } from '../lib/harness.js';

const child = (file) => `
const { Tracer } = await import(${JSON.stringify(new URL('index.js', distUrl).href)});
const t0 = performance.now();
const tracer = new Tracer({ output: ${JSON.stringify(file)}, service: 'first' });
const made = performance.now() - t0;
const times = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  tracer.startSpan('Svc.work').end();
  times.push(performance.now() - t);
}
await tracer.close();
process.stdout.write(JSON.stringify({ made, times }));
`;

async function run({ quick, tmpDir }) {
  const rounds = quick ? 5 : 15;
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const file = path.join(tmpDir, `first-${r}.jsonl`);
    const out = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', child(file)],
      { encoding: 'utf8' },
    );
    if (out.status !== 0) throw new Error(`first-span: ${out.stderr}`);
    runs.push(JSON.parse(out.stdout));
    fs.rmSync(file, { force: true });
  }
  const us = (ms) => ms * 1000;
  const rows = [
    {
      contender: 'new Tracer({ output: file })',
      us: median(runs.map((x) => us(x.made))),
    },
    {
      contender: 'first span (start + end)',
      us: median(runs.map((x) => us(x.times[0]))),
    },
    { contender: 'second span', us: median(runs.map((x) => us(x.times[1]))) },
    { contender: 'third span', us: median(runs.map((x) => us(x.times[2]))) },
  ];
  const ratio = median(runs.map((x) => x.times[0] / x.times[1]));
  return {
    rows,
    columns: [
      { key: 'contender', label: 'what' },
      { key: 'us', label: 'median (us)', fmt: (v) => v.toFixed(1) },
    ],
    targets: [
      {
        text: 'the first span costs within 10x of the second',
        measured: `${ratio.toFixed(1)}x (median over ${rounds} processes)`,
        met: ratio <= 10,
      },
    ],
    notes: [
      `Each of ${rounds} fresh \`node\` processes makes a tracer writing to ` +
        'a file and times three `startSpan().end()` calls with ' +
        '`performance.now()`; medians over processes. The tracer runs a ' +
        'probe span no processor sees, and the output formats one, when they ' +
        'are made: that set-up is in the first row, not in the trace.',
    ],
  };
}

export default {
  id: 12,
  name: 'case12-first-span',
  title: 'The first span of a process',
  run,
};
