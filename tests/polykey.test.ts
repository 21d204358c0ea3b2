import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, test, expect, afterAll } from '@jest/globals';
import { parseTrace } from './utils/schema.js';

// The published Polykey agent (polykey 1.15.1: async-init 1.x, CommonJS),
// unmodified, created and stopped under the preload in a child process.

const root = path.resolve(import.meta.dirname, '..');
const program = path.join(root, 'tests/fixtures/polykey/agent.cjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-polykey-'));
const ERROR = 2;
/** Polykey's start-up makes many short DB transactions and iterators. */
const plumbing = new Set(['DBTransaction', 'DBIterator']);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function exec(
  args: Array<string>,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const e: Record<string, string | undefined> = { ...process.env, ...env };
    delete e.SPANTRAIL_INSTRUMENT;
    const child = spawn(process.execPath, args, {
      env: e as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Node = {
  spanId: string;
  parentId?: string;
  traceId: string;
  name: string;
  attributes: Record<string, unknown>;
  status?: { code: number; message?: string };
  ended: boolean;
};

/** Every span of the file, ended or still open at exit. */
function readSpans(file: string): Map<string, Node> {
  const spans = new Map<string, Node>();
  for (const r of parseTrace(fs.readFileSync(file, 'utf8'))) {
    if (r.type !== 'start' && r.type !== 'span') continue;
    const ended = r.type === 'span' || spans.get(r.spanId)?.ended === true;
    spans.set(r.spanId, { ...r, ended });
  }
  return spans;
}

function ancestors(spans: Map<string, Node>, node: Node): Array<Node> {
  const chain: Array<Node> = [];
  for (
    let p = node.parentId === undefined ? undefined : spans.get(node.parentId);
    p !== undefined;
    p = p.parentId === undefined ? undefined : spans.get(p.parentId)
  ) {
    chain.push(p);
  }
  return chain;
}

/** The traces rooted at `PolykeyAgent.createPolykeyAgent`, in order. */
function agentTraces(spans: Map<string, Node>) {
  const roots = [...spans.values()].filter(
    (s) => s.name === 'PolykeyAgent.createPolykeyAgent',
  );
  return roots.map((root) => ({
    root,
    spans: [...spans.values()].filter((s) => s.traceId === root.traceId),
  }));
}

/** One agent created and stopped: one trace, everything under the factory. */
function checkCreatedAndStopped(spans: Map<string, Node>, root: Node) {
  expect(root.parentId).toBeUndefined();
  expect(root.status?.code).not.toBe(ERROR);
  const trace = [...spans.values()].filter((s) => s.traceId === root.traceId);
  for (const s of trace) {
    if (s === root) continue;
    expect(ancestors(spans, s)).toContain(root);
  }
  const lifetimes = trace.filter(
    (s) =>
      s.attributes['spantrail.lifecycle'] === 'lifetime' &&
      !plumbing.has(s.name),
  );
  const classes = new Set(lifetimes.map((s) => s.name));
  expect(classes.size).toBeGreaterThanOrEqual(10);
  for (const name of [
    'PolykeyAgent',
    'Status',
    'KeyRing',
    'DB',
    'TaskManager',
    'Sigchain',
    'ACL',
    'NodeGraph',
    'VaultManager',
    'NodeConnectionManager',
  ]) {
    expect(classes).toContain(name);
  }
  // each component's factory holds its lifetime; each lifetime was stopped
  const [db] = lifetimes.filter(
    (s) => s.name === 'DB' && spans.get(s.parentId!)?.name === 'DB.createDB',
  );
  expect(spans.get(db.parentId!)!.parentId).toBe(root.spanId);
  for (const lifetime of lifetimes) {
    expect(lifetime.ended).toBe(true);
    expect(lifetime.status?.code).not.toBe(ERROR);
    const stops = trace.filter(
      (s) =>
        s.parentId === lifetime.spanId &&
        (s.name === `${lifetime.name}.stop` ||
          s.name === `${lifetime.name}.destroy`),
    );
    expect(stops.length).toBeGreaterThanOrEqual(1);
  }
}

describe('an unmodified Polykey agent under the preload', () => {
  test('one trace per agent creation; failures and never-stopped components visible', async () => {
    const output = path.join(dir, 'lifecycle.jsonl');
    const r = await exec(
      ['--require', path.join(root, 'dist/register.cjs'), program, 'lifecycle'],
      { SPANTRAIL_OUTPUT: output },
    );
    expect(r.stderr).not.toMatch(/spantrail|TypeError|RangeError/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ErrorKeyPairParse\n');
    const spans = readSpans(output);
    const traces = agentTraces(spans);
    expect(traces).toHaveLength(3);
    // every span of the run belongs to one of the three creations
    expect(new Set([...spans.values()].map((s) => s.traceId)).size).toBe(3);

    checkCreatedAndStopped(spans, traces[0].root);

    // the wrong password: the failing phase, inside the creation
    const failed = traces[1];
    expect(failed.root.status?.code).toBe(ERROR);
    const [keyRingStart] = failed.spans.filter(
      (s) => s.name === 'KeyRing.start',
    );
    expect(keyRingStart.status?.code).toBe(ERROR);
    expect(ancestors(spans, keyRingStart)).toContain(failed.root);
    // what started before it was stopped by Polykey's clean-up
    const status = failed.spans.find((s) => s.name === 'Status')!;
    expect(status.ended).toBe(true);

    // the agent left running: its lifetimes never end
    const running = traces[2];
    expect(running.root.ended).toBe(true);
    const open = running.spans.filter(
      (s) => s.attributes['spantrail.lifecycle'] === 'lifetime' && !s.ended,
    );
    const openClasses = new Set(open.map((s) => s.name));
    expect(openClasses).toContain('PolykeyAgent');
    expect(openClasses).toContain('DB');
    expect(openClasses.size).toBeGreaterThanOrEqual(10);
  }, 120000);

  test('`spantrail run -- node app.js` gives the same trace', async () => {
    const output = path.join(dir, 'run.jsonl');
    const r = await exec(
      [
        path.join(root, 'dist/cli/main.js'),
        'run',
        '--trace-output',
        output,
        '--',
        'node',
        program,
        'create',
      ],
      {},
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('stopped\n');
    const spans = readSpans(output);
    const traces = agentTraces(spans);
    expect(traces).toHaveLength(1);
    expect(new Set([...spans.values()].map((s) => s.traceId)).size).toBe(1);
    checkCreatedAndStopped(spans, traces[0].root);
  }, 120000);
});
