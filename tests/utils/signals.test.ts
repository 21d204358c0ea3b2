import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distIndex, root } from './exec.js';
import { parseTrace } from './schema.js';

// The fault matrix: a child process ends spans in batches, one flush
// interval apart, then ends as programs do. Every ended span must be in the
// trace, except under SIGKILL and abort(), which run no code: there only
// the last batch (the last flush interval) may be lost. The exit status
// must be the one of the same program without spantrail.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-signals-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  if (!fs.existsSync(distIndex)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  }
});

const batches = 4;
const batchSize = 100;
// long enough that the signal arrives before the last batch is flushed:
// without the signal flush, the last batch would be lost
const flushInterval = 300;

type Ending = {
  /** Code the child runs once its spans are ended. */
  code?: string;
  /** Signal the parent sends once the child is ready. */
  signal?: NodeJS.Signals;
  /** Whether the ending runs no code of the program (SIGKILL, abort). */
  abrupt?: boolean;
};

const endings: Record<string, Ending> = {
  'normal exit': { code: 'clearInterval(keepAlive);' },
  'process.exit(3)': { code: 'process.exit(3);' },
  'uncaught exception': {
    code: 'setTimeout(() => { throw new Error("crash"); }, 0);',
  },
  'unhandled rejection': { code: 'Promise.reject(new Error("rejected"));' },
  SIGTERM: { signal: 'SIGTERM' },
  SIGINT: { signal: 'SIGINT' },
  SIGHUP: { signal: 'SIGHUP' },
  SIGKILL: { signal: 'SIGKILL', abrupt: true },
  'abort()': { code: 'process.abort();', abrupt: true },
  'SIGTERM with a listener of its own': {
    code: `process.on('SIGTERM', () => setTimeout(() => process.exit(7), 20));
      process.stdout.write('listening\\n');`,
    signal: 'SIGTERM',
  },
};

function program(
  ending: Ending,
  traced: boolean,
  out: string,
  sync: boolean,
): string {
  const setup = traced
    ? `import { Tracer } from ${JSON.stringify('file://' + distIndex)};
       const tracer = new Tracer({ output: ${JSON.stringify(out)},
         service: 'matrix', sync: ${sync}, flushInterval: ${flushInterval} });
       const end = (name) => tracer.startSpan(name).end();`
    : `const end = () => {};`;
  return `${setup}
    const keepAlive = setInterval(() => {}, 1000);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    for (let b = 0; b < ${batches}; b++) {
      for (let i = 0; i < ${batchSize}; i++) end('s' + (b * ${batchSize} + i));
      await sleep(${flushInterval + 50});
    }
    // the last batch: ended within the last flush interval
    for (let i = 0; i < ${batchSize}; i++) end('last' + i);
    ${ending.code ?? ''}
    process.stdout.write('ready\\n');
  `;
}

type Outcome = { code: number | null; signal: string | null };

/** Runs a program; sends `signal` once it printed `ready`. */
function run(source: string, signal?: NodeJS.Signals): Promise<Outcome> {
  const file = path.join(tmp, `p-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    // no core files from abort(); exec keeps the shell out of the status
    const child = spawn(
      '/bin/sh',
      ['-c', 'ulimit -c 0; exec "$0" "$@"', process.execPath, file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (signal !== undefined && stdout.includes('ready\n')) {
        const listening =
          !source.includes("'listening") || stdout.includes('listening');
        if (listening) {
          child.kill(signal);
          signal = undefined;
        }
      }
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig });
    });
  });
}

describe('fault matrix: spans lost and exit status', () => {
  const cases: Array<[string, boolean]> = [];
  for (const name of Object.keys(endings)) {
    cases.push([name, false], [name, true]);
  }
  test.each(cases)('%s (sync: %s)', async (name, sync) => {
    const ending = endings[name];
    const out = path.join(tmp, `${name.replace(/\W+/g, '-')}-${sync}.jsonl`);
    const [withTracer, without] = await Promise.all([
      run(program(ending, true, out, sync), ending.signal),
      run(program(ending, false, out, sync), ending.signal),
    ]);
    // the same ending as without spantrail
    expect(withTracer).toEqual(without);
    if (
      ending.signal !== undefined &&
      name.startsWith('SIG') &&
      !name.includes('listener')
    ) {
      expect(withTracer.signal).toBe(ending.signal);
    }
    const records = parseTrace(fs.readFileSync(out, 'utf8'));
    const ended = new Set(
      records.filter((r) => r.type === 'span').map((r) => r.name),
    );
    let lostEarly = 0;
    for (let i = 0; i < batches * batchSize; i++) {
      if (!ended.has('s' + i)) lostEarly++;
    }
    let lostLast = 0;
    for (let i = 0; i < batchSize; i++) if (!ended.has('last' + i)) lostLast++;
    // batches ended a flush interval or more before the end are never lost
    expect(lostEarly).toBe(0);
    if (sync || ending.abrupt !== true) expect(lostLast).toBe(0);
    console.log(
      `${name} (sync: ${sync}): exit ${JSON.stringify(withTracer)}, ended spans lost ${lostEarly + lostLast} of ${(batches + 1) * batchSize}`,
    );
  });
});

describe('two copies of spantrail in one program', () => {
  test('SIGTERM: both write everything, and the signal still ends the program', async () => {
    const outs = [0, 1].map((k) => path.join(tmp, `copies-${k}.jsonl`));
    // a second copy of the built package, inside the repository so that
    // its dependencies resolve (a bundled copy beside the preload's)
    const copy = path.join(root, 'tests/artifacts/spantrail-copy');
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(path.dirname(distIndex), copy, { recursive: true });
    const source = `
      const a = await import(${JSON.stringify('file://' + distIndex)});
      const b = await import(${JSON.stringify('file://' + path.join(copy, 'index.js'))});
      if (a.Tracer === b.Tracer) throw new Error('one copy only');
      const tracers = [a, b].map((m, k) => new m.Tracer({
        output: [${outs.map((o) => JSON.stringify(o)).join(', ')}][k],
        flushInterval: 60_000 }));
      setInterval(() => {}, 1000);
      for (let i = 0; i < 100; i++) for (const t of tracers) t.startSpan('s' + i).end();
      process.stdout.write('ready\\n');
    `;
    const r = await run(source, 'SIGTERM');
    fs.rmSync(copy, { recursive: true, force: true });
    expect(r).toEqual({ code: null, signal: 'SIGTERM' });
    for (const out of outs) {
      const spans = parseTrace(fs.readFileSync(out, 'utf8')).filter(
        (x) => x.type === 'span',
      );
      expect(spans).toHaveLength(100);
    }
  });
});
