import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/harness.js';

const exec = promisify(execFile);
const child = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'http-child.js',
);
const us = (v) => v.toFixed(1);

async function run({ quick, tmpDir }) {
  const count = quick ? 500 : 3000;
  const rounds = quick ? 1 : 3;
  const modes = ['off', 'tracer', 'on'];
  const runs = new Map(modes.map((m) => [m, []]));
  // each mode in its own process (the instrumentation is process-wide),
  // rounds rotating the order so that no mode always meets the same load
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + r) % modes.length];
      const { stdout } = await exec(
        process.execPath,
        [child, mode, String(count), path.join(tmpDir, `${mode}-${r}.jsonl`)],
        { maxBuffer: 1 << 20 },
      );
      runs.get(mode).push(JSON.parse(stdout));
    }
  }
  const result = Object.fromEntries(
    modes.map((m) => [
      m,
      {
        httpUs: median(runs.get(m).map((x) => x.httpUs)),
        fetchUs: median(runs.get(m).map((x) => x.fetchUs)),
      },
    ]),
  );
  const rows = [
    ['http.get (keep-alive)', 'httpUs'],
    ['fetch', 'fetchUs'],
  ].map(([call, key]) => ({
    call,
    off: result.off[key],
    tracer: result.tracer[key],
    on: result.on[key],
    ratio: result.on[key] / result.off[key],
    ratioTracer: result.on[key] / result.tracer[key],
  }));
  return {
    rows,
    columns: [
      { key: 'call', label: 'request over loopback' },
      { key: 'off', label: 'not instrumented (µs/request)', fmt: us },
      { key: 'tracer', label: 'tracer set, not instrumented', fmt: us },
      { key: 'on', label: 'instrumented (µs/request)', fmt: us },
      { key: 'ratio', label: 'on/off', fmt: (v) => `${v.toFixed(2)}x` },
      {
        key: 'ratioTracer',
        label: 'on/tracer',
        fmt: (v) => `${v.toFixed(2)}x`,
      },
    ],
    notes: [
      `Each mode in its own process, ${rounds} round(s) with the order ` +
        'rotated, medians: a server and a client on 127.0.0.1 in one ' +
        `process, ${count.toLocaleString('en-US')} sequential requests ` +
        'after 200 of warm-up. Instrumented, each ' +
        'request makes a CLIENT and a SERVER span (written to a file) and ' +
        'carries a `traceparent`. on/off is instrumented time over plain ' +
        'time (1.00x: no cost); on/tracer leaves out what any tracer with ' +
        'AsyncLocalStorage costs a promise-heavy program, showing the ' +
        "instrumentation's own share.",
    ],
  };
}

export default {
  id: 13,
  name: 'http',
  title: 'HTTP and fetch instrumentation: a request over loopback',
  run,
};
