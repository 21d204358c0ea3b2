// Import time of the package, as a whole process: `node` importing an
// entry point against `node` importing nothing, each run in its own
// process, in rotated order.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../lib/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** CPU and wall milliseconds of one import, measured in a fresh process. */
function measure(specifier) {
  const code =
    specifier === undefined
      ? 'process.stdout.write(JSON.stringify({ cpu: 0, wall: 0 }));'
      : `const c = process.cpuUsage(); const t = performance.now();
await import(${JSON.stringify(specifier)});
const u = process.cpuUsage(c);
process.stdout.write(JSON.stringify({ cpu: (u.user + u.system) / 1000, wall: performance.now() - t }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`import-time: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function run({ quick }) {
  const dist =
    process.env.SPANTRAIL_DIST || path.join(here, '..', '..', 'dist');
  const url = (p) => pathToFileURL(path.join(dist, p)).href;
  const contenders = [
    { name: "import 'spantrail'", specifier: url('index.js') },
    { name: "import 'spantrail/reader'", specifier: url('reader/index.js') },
    { name: "import 'spantrail/otel'", specifier: url('otel/index.js') },
  ];
  const rounds = quick ? 5 : 21;
  const runs = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length];
      runs.get(c.name).push(measure(c.specifier));
    }
  }
  const rows = contenders.map((c) => {
    const rs = runs.get(c.name);
    return {
      contender: c.name,
      cpuMs: median(rs.map((x) => x.cpu)),
      wallMs: median(rs.map((x) => x.wall)),
      minWallMs: Math.min(...rs.map((x) => x.wall)),
    };
  });
  const root = rows[0];
  return {
    rows,
    columns: [
      { key: 'contender', label: 'entry point' },
      { key: 'cpuMs', label: 'CPU (ms)', fmt: (v) => v.toFixed(1) },
      { key: 'wallMs', label: 'wall (ms)', fmt: (v) => v.toFixed(1) },
      { key: 'minWallMs', label: 'min wall (ms)', fmt: (v) => v.toFixed(1) },
    ],
    targets: [
      {
        text: "importing 'spantrail' takes less than the 55 ms of 0.1.0",
        measured: `${root.wallMs.toFixed(1)} ms wall, ${root.cpuMs.toFixed(1)} ms CPU`,
        met: quick ? null : root.wallMs < 55,
      },
    ],
    notes: [
      `Each row is the \`await import()\` of an entry point in a fresh ` +
        `\`node\` process, timed inside it (${rounds} rounds, order ` +
        'rotated, medians): CPU time (user + system), which the load of ' +
        'other processes barely moves, and wall time. The build bundles ' +
        'each entry point with shared chunks, so an import loads a dozen ' +
        'modules rather than one per source file.',
    ],
  };
}

export default {
  id: 10,
  name: 'case10-import-time',
  title: 'Import time of the package',
  run,
};
