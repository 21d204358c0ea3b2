import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const exec = promisify(execFile);
const child = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'http-child.js',
);
const us = (v) => v.toFixed(1);

async function run({ quick, tmpDir }) {
  const count = quick ? 500 : 5000;
  const result = {};
  // one run each, in its own process: the instrumentation is process-wide
  for (const mode of ['off', 'tracer', 'on']) {
    const { stdout } = await exec(
      process.execPath,
      [child, mode, String(count), path.join(tmpDir, 'trace.jsonl')],
      { maxBuffer: 1 << 20 },
    );
    result[mode] = JSON.parse(stdout);
  }
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
      `One run per mode, each in its own process: a server and a client on ` +
        `127.0.0.1 in one process, ${count.toLocaleString('en-US')} ` +
        'sequential requests after 200 of warm-up. Instrumented, each ' +
        'request makes a CLIENT and a SERVER span (written to a file) and ' +
        'carries a `traceparent`. on/off is instrumented time over plain ' +
        'time (1.00x: no cost); on/tracer leaves out what any tracer with ' +
        'AsyncLocalStorage costs a promise-heavy program, showing the ' +
        "instrumentation's own share.",
    ],
  };
}

export default {
  id: 11,
  name: 'http',
  title: 'HTTP and fetch instrumentation: a request over loopback',
  run,
};
