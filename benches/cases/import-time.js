// Import time of the package, as a whole process: `node` importing an
// entry point against `node` importing nothing, each run in its own
// process, in rotated order.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../lib/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Wall seconds of one `node --input-type=module -e <code>` process. */
function measure(code) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`import-time: '${code}' failed`);
  return (performance.now() - t0) / 1000;
}

async function run({ quick }) {
  const dist =
    process.env.SPANTRAIL_DIST || path.join(here, '..', '..', 'dist');
  const url = (p) => pathToFileURL(path.join(dist, p)).href;
  const contenders = [
    { name: 'node, no import (floor)', code: '' },
    { name: "import 'spantrail'", code: `await import('${url('index.js')}');` },
    {
      name: "import 'spantrail/reader'",
      code: `await import('${url('reader/index.js')}');`,
    },
    {
      name: 'import the Tracer module alone',
      code: `await import('${url('Tracer.js')}');`,
    },
  ];
  const rounds = quick ? 5 : 21;
  const runs = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length];
      runs.get(c.name).push(measure(c.code));
    }
  }
  const floor = median(runs.get(contenders[0].name));
  const rows = contenders.map((c) => {
    const rs = runs.get(c.name);
    const ms = median(rs) * 1000;
    return {
      contender: c.name,
      medianMs: ms,
      minMs: Math.min(...rs) * 1000,
      maxMs: Math.max(...rs) * 1000,
      overFloorMs: ms - floor * 1000,
    };
  });
  const root = rows[1];
  return {
    rows,
    columns: [
      { key: 'contender', label: 'process' },
      { key: 'medianMs', label: 'median (ms)', fmt: (v) => v.toFixed(1) },
      { key: 'minMs', label: 'min (ms)', fmt: (v) => v.toFixed(1) },
      { key: 'maxMs', label: 'max (ms)', fmt: (v) => v.toFixed(1) },
      {
        key: 'overFloorMs',
        label: 'over floor (ms)',
        fmt: (v) => v.toFixed(1),
      },
    ],
    targets: [
      {
        text: "importing 'spantrail' costs less than the 55 ms of 0.1.0",
        measured: `${root.overFloorMs.toFixed(1)} ms over the floor`,
        met: quick ? null : root.overFloorMs < 55,
      },
    ],
    notes: [
      `Each row is a fresh \`node\` process (${rounds} rounds, order rotated, ` +
        'medians of wall time); the floor is the same process importing ' +
        'nothing, so "over floor" is the import itself.',
    ],
  };
}

export default {
  id: 10,
  name: 'case10-import-time',
  title: 'Import time of the package',
  run,
};
