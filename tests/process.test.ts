import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distIndex, root, runNode } from './utils/exec.js';
import { parseTrace } from './utils/schema.js';

// These run the built package in plain `node` (no jest transform), as users
// do: `@matrixai/id` and the rest must load as real ESM.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-process-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  if (!fs.existsSync(distIndex)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  }
});

const prelude = `
import { Tracer, tracerFromProcess } from 'SPANTRAIL';
const tracer = new Tracer({ output: process.env.OUT, service: 'child' });
for (let i = 0; i < 500; i++) tracer.startSpan('ended-' + i).end();
const open = tracer.startSpan('in-flight');
`;

function readSpans(file: string) {
  const records = parseTrace(fs.readFileSync(file, 'utf8'));
  return {
    records,
    ended: records.filter((r) => r.type === 'span').map((r) => r.name),
    started: records.filter((r) => r.type === 'start').map((r) => r.name),
  };
}

describe('the built package in a child process', () => {
  test.each([
    ['a normal exit', ''],
    ['process.exit()', 'process.exit(3);'],
    [
      'an uncaught exception',
      'setTimeout(() => { throw new Error("crash") }, 0);',
    ],
    ['an unhandled rejection', 'Promise.reject(new Error("rejected"));'],
  ])('keeps every ended span on %s', async (_name, ending) => {
    const out = path.join(tmp, `exit-${_name.replace(/\W+/g, '-')}.jsonl`);
    const r = await runNode(prelude + ending, { env: { OUT: out } });
    const { ended, started } = readSpans(out);
    expect(ended).toHaveLength(500);
    expect(ended[499]).toBe('ended-499');
    // the span in flight at the end shows as started, never ended
    expect(started).toContain('in-flight');
    expect(ended).not.toContain('in-flight');
    if (ending.includes('throw') || ending.includes('reject')) {
      expect(r.code).toBe(1);
    } else {
      expect(r.code).toBe(ending === '' ? 0 : 3);
    }
  });

  test('a rejection nobody handles in startActiveSpan still crashes the program', async () => {
    const out = path.join(tmp, 'unhandled.jsonl');
    const r = await runNode(
      `import { Tracer } from 'SPANTRAIL';
       const tracer = new Tracer({ output: process.env.OUT });
       tracer.startActiveSpan('doomed', async () => { throw new Error('nobody handles me'); });`,
      { env: { OUT: out } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nobody handles me');
    const { records } = readSpans(out);
    const span = records.find((x) => x.type === 'span');
    expect(span).toMatchObject({ name: 'doomed', status: { code: 2 } });
  });

  test("with a promise library as the global Promise, an async method's rejection nobody handles still crashes the program", async () => {
    const out = path.join(tmp, 'global-promise.jsonl');
    const r = await runNode(
      `import { Tracer, traced, setTracer } from 'SPANTRAIL';
       setTracer(new Tracer({ output: process.env.OUT }));
       globalThis.Promise = class Library extends Promise {};
       class Svc { async work() { throw new Error('nobody handles me'); } }
       Object.defineProperty(Svc.prototype, 'work', traced()(Svc.prototype, 'work', Object.getOwnPropertyDescriptor(Svc.prototype, 'work')));
       new Svc().work();`,
      { env: { OUT: out } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nobody handles me');
    const { records } = readSpans(out);
    const span = records.find((x) => x.type === 'span');
    expect(span).toMatchObject({ name: 'Svc.work', status: { code: 2 } });
  });

  test('writes to stdout of a child process', async () => {
    const r = await runNode(
      `import { Tracer } from 'SPANTRAIL';
       const tracer = new Tracer({ output: 'stdout', service: 'stdout-child' });
       tracer.startSpan('to-stdout').end();`,
    );
    expect(r.code).toBe(0);
    const records = parseTrace(r.stdout);
    expect(records[0]).toMatchObject({
      type: 'meta',
      service: 'stdout-child',
      runtime: 'node',
    });
    expect(records.at(-1)).toMatchObject({ type: 'span', name: 'to-stdout' });
  });

  test("writes to 'fd:3', a pipe to the parent", async () => {
    const script = `import { Tracer } from 'file://${distIndex}';
      const tracer = new Tracer({ output: 'fd:3' });
      for (let i = 0; i < 2000; i++) tracer.startSpan('piped').end();`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
      },
    );
    let text = '';
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on(
      'data',
      (d: string) => (text += d),
    );
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const records = parseTrace(text);
    expect(records.filter((r) => r.type === 'span')).toHaveLength(2000);
  });

  test('a full pipe at exit is drained, not dropped: a slow reader gets every span', async () => {
    // 2 MB of records through a 64 KiB pipe, read slowly by the parent
    const script = `import { Tracer } from 'file://${distIndex}';
      const tracer = new Tracer({ output: 'stdout', bufferSize: 64 << 20 });
      const pad = 'x é ✓ 🚀'.repeat(100);
      for (let i = 0; i < 2500; i++) tracer.startSpan('big', { attributes: { pad } }).end();`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 300));
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (text += d));
    child.stdout.resume();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(parseTrace(text).filter((r) => r.type === 'span')).toHaveLength(
      2500,
    );
  });

  test('/dev/full: the output stops, the error is reported once, the program exits normally', async () => {
    const r = await runNode(
      `import { Tracer } from 'SPANTRAIL';
       const tracer = new Tracer({ output: '/dev/full', sync: true });
       let errors = 0;
       tracer.addEventListener('error', (e) => { errors++; console.log('error', e.error.code); });
       for (let i = 0; i < 100; i++) tracer.startSpan('x').end();
       process.on('exit', () => console.log('errors', errors, 'done'));`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('error ENOSPC');
    expect(r.stdout).toContain('errors 1 done');
  });

  test('a closed pipe (EPIPE) does not hurt the program', async () => {
    const script = `import { Tracer } from 'file://${distIndex}';
      const tracer = new Tracer({ output: 'fd:3' });
      tracer.addEventListener('error', (e) => process.stderr.write('reported ' + e.error.code + '\\n'));
      const t0 = Date.now();
      while (Date.now() - t0 < 300) { tracer.startSpan('x').end(); await new Promise((r) => setTimeout(r, 5)); }
      process.stderr.write('finished\\n');`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      },
    );
    (child.stdio[3] as any).destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('reported EPIPE');
    expect(stderr.match(/reported/g)).toHaveLength(1);
    expect(stderr).toContain('finished');
  });

  test('a span nobody references is garbage, ended or not', async () => {
    const r = await runNode(
      `import { Tracer } from 'SPANTRAIL';
       const tracer = new Tracer({ output: process.env.OUT });
       let collected = 0;
       const registry = new FinalizationRegistry(() => collected++);
       (() => { for (let i = 0; i < 100; i++) registry.register(tracer.startSpan('never-ended'), i); })();
       for (let i = 0; i < 10 && collected < 100; i++) {
         globalThis.gc();
         await new Promise((r) => setTimeout(r, 10));
       }
       console.log(JSON.stringify({ collected, open: tracer.openSpans }));`,
      {
        args: [],
        env: { OUT: path.join(tmp, 'gc.jsonl'), NODE_OPTIONS: '--expose-gc' },
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ collected: 100, open: 100 });
  });

  test('--trace-output and SPANTRAIL_OUTPUT pick the destination; neither means no-op', async () => {
    const script = `import { tracerFromProcess, noopTracer } from 'SPANTRAIL';
       const tracer = tracerFromProcess({ service: 'cli' });
       console.log(JSON.stringify({ noop: tracer === noopTracer, argv: process.argv.slice(1) }));
       tracer.startSpan('cli-span').end();`;
    const viaFlag = path.join(tmp, 'flag.jsonl');
    const a = await runNode(script, {
      args: ['--trace-output', viaFlag, 'rest'],
    });
    expect(JSON.parse(a.stdout)).toMatchObject({ noop: false });
    expect(JSON.parse(a.stdout).argv.slice(1)).toEqual(['rest']);
    expect(readSpans(viaFlag).ended).toEqual(['cli-span']);
    const viaEq = path.join(tmp, 'eq.jsonl');
    const b = await runNode(script, { args: [`--trace-output=${viaEq}`] });
    expect(JSON.parse(b.stdout).noop).toBe(false);
    expect(readSpans(viaEq).ended).toEqual(['cli-span']);
    const viaEnv = path.join(tmp, 'env.jsonl');
    const c = await runNode(script, { env: { SPANTRAIL_OUTPUT: viaEnv } });
    expect(JSON.parse(c.stdout).noop).toBe(false);
    expect(readSpans(viaEnv).ended).toEqual(['cli-span']);
    const d = await runNode(script, { env: { SPANTRAIL_OUTPUT: '' } });
    expect(JSON.parse(d.stdout).noop).toBe(true);
  });
});

describe('killed with SIGKILL at a random moment', () => {
  // the program starts and ends spans at random (nested, some left open)
  // and says on stdout, after each flush, how many spans it had begun: after
  // its own \`flushSync()\` calls, and whenever the file grew under it (the
  // output's timer during an await, or the high-water mark during a step)
  const program = `
import fs from 'node:fs';
import { Tracer } from 'SPANTRAIL';
const out = process.env.OUT;
const tracer = new Tracer({ output: out, service: 'crash' });
fs.writeSync(1, 'ready\\n');
let seed = Number(process.env.SEED) >>> 0;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const open = [];
let begun = 0;
let size = 0;
const flushed = (how, n) => fs.writeSync(1, how + ' ' + n + '\\n');
const grew = () => {
  const now = fs.statSync(out).size;
  const more = now > size;
  size = now;
  return more;
};
for (;;) {
  for (let k = 0; k < 40; k++) {
    // a flush within this step may come before the span it starts
    const before = begun;
    if (rand() < 0.55 || open.length === 0) {
      const parent = open.length > 0 && rand() < 0.5 ? open[Math.floor(rand() * open.length)] : null;
      const span = tracer.startSpan('s' + begun++, { parent });
      if (rand() < 0.2) span.setAttribute('pad', 'p'.repeat(Math.floor(rand() * 4000)));
      open.push(span);
    } else {
      open.splice(Math.floor(rand() * open.length), 1)[0].end();
    }
    if (grew()) flushed('grew', before);
  }
  if (rand() < 0.1) {
    tracer.flushSync();
    grew();
    flushed('flushed', begun);
  }
  await new Promise((r) => setTimeout(r, rand() * 3));
  if (grew()) flushed('grew', begun);
}
`;

  /** Records of a file a killed writer left: a torn last line is skipped. */
  function recordsOf(file: string): Array<any> {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const records = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue;
      try {
        records.push(JSON.parse(lines[i]));
      } catch (e) {
        if (i < lines.length - 1) throw e;
      }
    }
    return records;
  }

  test("every span begun before the last flush (its own, the timer's or the high-water mark's) is in the file", async () => {
    const base = Number(process.env.FC_SEED ?? Date.now() % 1e6);
    console.log(`crash test seeds ${base}.. (replay with FC_SEED=${base})`);
    let checked = 0;
    let grown = 0;
    for (let run = 0; run < 5; run++) {
      const seed = base + run;
      const out = path.join(tmp, `killed-${seed}.jsonl`);
      // killed a random while after it is ready, whatever the machine's load
      const r = await runNode(program, {
        env: { OUT: out, SEED: String(seed) },
        killAfterReady: 30 + ((seed * 97) % 300),
      });
      expect(r.signal).toBe('SIGKILL');
      const flushes = [...r.stdout.matchAll(/(flushed|grew) (\d+)/g)];
      grown += flushes.filter((m) => m[1] === 'grew').length;
      const begun = Number(flushes.at(-1)?.[2] ?? 0);
      const names = new Set(
        recordsOf(out)
          .filter((x) => x.type === 'start' || x.type === 'span')
          .map((x) => x.name),
      );
      const missing = [];
      for (let i = 0; i < begun; i++) {
        if (!names.has('s' + i)) missing.push('s' + i);
      }
      expect({ seed, begun, missing }).toEqual({ seed, begun, missing: [] });
      checked += begun;
    }
    // the runs flushed, on their own too: the check above was not vacuous
    expect(checked).toBeGreaterThan(0);
    expect(grown).toBeGreaterThan(0);
  });
});
