import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test, expect, afterAll } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-register-'));
// programs outside the repo that still resolve its node_modules, as an
// installed application would
fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

type Rec = {
  type: string;
  spanId: string;
  parentId?: string;
  name: string;
  status: { code: number };
};

/** Runs `source` unmodified under the preload entry; returns its spans. */
function run(
  file: string,
  source: string,
  preload: Array<string>,
  env: Record<string, string> = {},
): { spans: Array<Rec>; stdout: string; records: Array<any> } {
  const program = path.join(dir, file);
  fs.writeFileSync(program, source);
  const output = path.join(dir, file + '.jsonl');
  const r = spawnSync(process.execPath, [...preload, program], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, SPANTRAIL_OUTPUT: output, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
  const records = lines.map((l) => JSON.parse(l));
  expect(records[0].type).toBe('meta');
  return {
    spans: records.filter((x) => x.type === 'span'),
    stdout: r.stdout,
    records,
  };
}

const dbProgram = (header: string) => `${header}
const dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-db-')) + '/db';
async function main() {
  const db = await DB.createDB({ dbPath, logger: undefined });
  await db.put('a', 'b');
  const got = (await db.get('a'));
  await db.withTransactionF(async (tran) => {
    await tran.put('x', 'y');
    await tran.get('x');
  });
  await db.stop();
  await db.destroy();
  fs.rmSync(path.dirname(dbPath), { recursive: true, force: true });
  process.stdout.write(String(got));
}
main();
`;

/** The tree the DB run must show. */
function checkDbTrace(spans: Array<Rec>, ready: boolean) {
  const one = (name: string) => {
    const found = spans.filter((s) => s.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  // the factory is the root: what it creates and starts nests under it
  const create = one('DB.createDB');
  expect(create.parentId).toBeUndefined();
  const db = one('DB');
  expect(db.parentId).toBe(create.spanId);
  expect(one('DB.start').parentId).toBe(db.spanId);
  expect(one('DB.stop').parentId).toBe(db.spanId);
  // destroy follows stop and joins the lifetime that just ended
  expect(one('DB.destroy').parentId).toBe(db.spanId);
  const tran = one('DBTransaction');
  expect(tran.parentId).toBe(db.spanId);
  expect(one('DBTransaction.destroy').parentId).toBe(tran.spanId);
  for (const s of spans) expect(s.status.code).not.toBe(2);
  if (ready) {
    expect(one('DB.put').parentId).toBe(db.spanId);
    expect(one('DB.get').parentId).toBe(db.spanId);
    expect(one('DBTransaction.put').parentId).toBe(tran.spanId);
    expect(one('DBTransaction.commit').parentId).toBe(tran.spanId);
  } else {
    expect(spans.filter((s) => s.name === 'DB.put')).toHaveLength(0);
  }
}

describe('spantrail/register with @matrixai/db (unmodified, async-init 1.x)', () => {
  test('CommonJS program under --require dist/register.cjs', () => {
    const r = run(
      'db.cjs',
      dbProgram(
        "const fs = require('fs'); const os = require('os'); const path = require('path');\nconst { DB } = require('@matrixai/db');",
      ),
      ['--require', path.join(root, 'dist/register.cjs')],
      { SPANTRAIL_READY: '1' },
    );
    expect(r.stdout).toBe('b');
    checkDbTrace(r.spans, true);
  });

  test('ESM program under --import dist/register.js (lifecycles only)', () => {
    const r = run(
      'db.mjs',
      dbProgram(
        "import fs from 'fs'; import os from 'os'; import path from 'path';\nimport dbModule from '@matrixai/db';\nconst { DB } = dbModule;",
      ),
      ['--import', 'file://' + path.join(root, 'dist/register.js')],
    );
    expect(r.stdout).toBe('b');
    checkDbTrace(r.spans, false);
  });
});

describe('spantrail/register with async-init 2.x (ESM, through module hooks)', () => {
  test('custom event classes, a failing start, restart', () => {
    const r = run(
      'v2.mjs',
      `
import { StartStop, ready } from '@matrixai/async-init/StartStop.js';
import { EventAsyncInit } from '@matrixai/async-init/events.js';
class EventUp extends EventAsyncInit {}
class EventIsUp extends EventAsyncInit {}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
class Worker {
  fail = true;
  async start() { await sleep(1); if (this.fail) throw new Error('no'); }
  async stop() { await sleep(1); }
  async job() { return 1; }
}
const descriptor = Object.getOwnPropertyDescriptor(Worker.prototype, 'job');
Object.defineProperty(Worker.prototype, 'job', ready()(Worker.prototype, 'job', descriptor) ?? descriptor);
const W = StartStop({ eventStart: EventUp, eventStarted: EventIsUp })(Worker);
const w = new W();
let seen = 0;
w.addEventListener(EventIsUp.name, () => seen++);
await w.start().catch(() => {});
w.fail = false;
await w.start();
await w.job();
await w.stop();
process.stdout.write(String(seen));
`,
      ['--import', 'file://' + path.join(root, 'dist/register.js')],
      { SPANTRAIL_READY: 'true' },
    );
    expect(r.stdout).toBe('1');
    const lifetimes = r.spans.filter((s) => s.name === 'Worker');
    expect(lifetimes).toHaveLength(2);
    expect(lifetimes.map((s) => s.status.code)).toEqual([2, 0]);
    const starts = r.spans.filter((s) => s.name === 'Worker.start');
    expect(starts.map((s) => s.status.code)).toEqual([2, 0]);
    expect(starts[0].parentId).toBe(lifetimes[0].spanId);
    expect(starts[1].parentId).toBe(lifetimes[1].spanId);
    const job = r.spans.find((s) => s.name === 'Worker.job')!;
    expect(job.parentId).toBe(lifetimes[1].spanId);
    const stop = r.spans.find((s) => s.name === 'Worker.stop')!;
    expect(stop.parentId).toBe(lifetimes[1].spanId);
  });

  test('without an output nothing is instrumented or written', () => {
    const program = path.join(dir, 'none.mjs');
    fs.writeFileSync(
      program,
      `import { StartStop } from '@matrixai/async-init/StartStop.js';
const C = StartStop()(class C { async start() {} });
const c = new C(); await c.start();
process.stdout.write(String(Object.getOwnPropertyNames(Object.getPrototypeOf(c)).includes('dispatchEvent')));`,
    );
    const env = { ...process.env };
    delete env.SPANTRAIL_OUTPUT;
    const r = spawnSync(
      process.execPath,
      ['--import', 'file://' + path.join(root, 'dist/register.js'), program],
      { encoding: 'utf8', cwd: dir, env },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('false');
  });
});

describe('spantrail/register runs once per process', () => {
  const cjs = ['--require', path.join(root, 'dist/register.cjs')];
  const esm = ['--import', 'file://' + path.join(root, 'dist/register.js')];
  const metas = (records: Array<any>) =>
    records.filter((x) => x.type === 'meta');
  // module.register (the ESM patch) starts Node's hooks thread, which runs
  // the --require preloads again
  const program = `const { StartStop } = require('async-init-v1/dist/StartStop.js');
const C = StartStop()(class C { async start() {} async stop() {} });
const c = new C();
c.start().then(() => c.stop()).then(() => process.stdout.write('done'));`;

  test('--require: one tracer, not a second one in the hooks thread', () => {
    const r = run('once.cjs', program, cjs);
    expect(r.stdout).toBe('done');
    expect(metas(r.records)).toHaveLength(1);
    expect(r.spans.filter((s) => s.name === 'C')).toHaveLength(1);
  });

  test('--require and --import together: still one tracer', () => {
    const r = run('twice.cjs', program, [...cjs, ...esm]);
    expect(metas(r.records)).toHaveLength(1);
    expect(r.spans.filter((s) => s.name === 'C.start')).toHaveLength(1);
  });

  // --require: Node runs it in workers (an eval worker skips --import)
  const workerProgram = `const { Worker } = require('node:worker_threads');
const w = new Worker('setTimeout(() => {}, 10)', { eval: true });
w.on('exit', () => process.stdout.write('joined'));`;

  test('worker threads get no tracer of their own', () => {
    const r = run('worker.cjs', workerProgram, cjs);
    expect(r.stdout).toBe('joined');
    expect(metas(r.records)).toHaveLength(1);
  });

  test('SPANTRAIL_WORKERS=1 asks for one per worker, none in the hooks thread', () => {
    const r = run('workers.cjs', workerProgram, cjs, {
      SPANTRAIL_WORKERS: '1',
    });
    expect(r.stdout).toBe('joined');
    const found = metas(r.records);
    expect(found).toHaveLength(2);
    expect(new Set(found.map((m) => m.pid)).size).toBe(1);
  });
});

describe('spantrail/register start-up', () => {
  // a --require probe runs in every thread Node starts, the hooks thread too
  const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-bare-'));
  afterAll(() => fs.rmSync(bare, { recursive: true, force: true }));
  const probe = path.join(bare, 'probe.cjs');
  fs.writeFileSync(
    probe,
    `const wt = require('worker_threads');
if (!wt.isMainThread) require('fs').appendFileSync(process.env.PROBE, 'thread\\n');`,
  );
  function threadsOf(cwd: string, env: Record<string, string>): number {
    const program = path.join(cwd, 'hello.mjs');
    fs.writeFileSync(program, "process.stdout.write('hello');");
    const log = path.join(bare, `probe-${Math.random()}.log`);
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        probe,
        '--import',
        'file://' + path.join(root, 'dist/register.js'),
        program,
      ],
      {
        encoding: 'utf8',
        cwd,
        env: {
          ...process.env,
          SPANTRAIL_OUTPUT: path.join(bare, 'hello.jsonl'),
          PROBE: log,
          ...env,
        },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello');
    return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').length : 0;
  }

  test('no async-init installed: no module hooks thread', () => {
    expect(fs.existsSync(path.join(bare, 'node_modules'))).toBe(false);
    expect(threadsOf(bare, {})).toBe(0);
  });

  test('async-init installed, or SPANTRAIL_ESM=1: the hooks thread patches it', () => {
    expect(threadsOf(dir, {})).toBeGreaterThan(0);
    expect(threadsOf(bare, { SPANTRAIL_ESM: '1' })).toBeGreaterThan(0);
  });
});
