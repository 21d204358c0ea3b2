import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  afterAll,
  beforeAll,
  describe,
  expect,
  jest,
  test,
} from '@jest/globals';
import { assertBuilt, runCli } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-scale-'));
const hex = (n: number): string => n.toString(16).padStart(32, '0');
const t0 = 1763730000000000;

function spanLine(
  trace: number,
  id: number,
  parent: number | undefined,
  name: string,
  at: number,
  dur: number,
): string {
  return (
    `{"type":"span","traceId":"${hex(trace)}","spanId":"${hex(id)}"` +
    (parent != null ? `,"parentId":"${hex(parent)}"` : '') +
    `,"name":"${name}","kind":0,"startTime":${t0 + at},"duration":${dur},` +
    `"status":{"code":0},"attributes":{},"events":[],"links":[]}`
  );
}

function write(file: string, lines: Iterable<string>): void {
  fs.writeFileSync(file, [...lines].join('\n') + '\n');
}

const deep = path.join(dir, 'deep.jsonl');
const wide = path.join(dir, 'wide.jsonl');
const depth = 20000;
const names = 130000;

beforeAll(() => {
  assertBuilt();
  // One parent chain (children end, and are written, first).
  write(
    deep,
    (function* () {
      for (let i = depth; i >= 1; i--) {
        yield spanLine(
          1,
          i,
          i > 1 ? i - 1 : undefined,
          `f${i}`,
          i,
          (depth - i + 1) * 1000,
        );
      }
    })(),
  );
  // Many distinct names, concurrent spans of one process: more values than
  // a function call's argument list holds (a `Math.max(...values)` limit).
  write(
    wide,
    (function* () {
      for (let i = 1; i <= names; i++) {
        yield spanLine(2, i, undefined, `n${i}`, 0, 1000000 + i);
      }
    })(),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('commands at scale', () => {
  jest.setTimeout(180000);

  test('view draws a 20,000-deep chain with bounded indentation', async () => {
    const r = await runCli(['view', '--no-color', deep]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(depth + 1);
    const longest = Math.max(...lines.slice(0, 1000).map((l) => l.length));
    expect(longest).toBeLessThan(400);
    // Past the drawn levels the depth is written out.
    expect(lines[lines.length - 1]).toContain(`[${depth - 1}]`);
    const time = await runCli(['view', '--mode', 'time', '--no-color', deep]);
    expect(time.code).toBe(0);
  });

  test('html and convert complete on the deep chain', async () => {
    const out = path.join(dir, 'deep.html');
    expect((await runCli(['html', deep, '-o', out])).code).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(depth * 50);
    for (const to of ['chrome', 'speedscope', 'otlp']) {
      const file = path.join(dir, `deep.${to}.json`);
      const r = await runCli(['convert', deep, '--to', to, '-o', file]);
      expect(r.code).toBe(0);
      expect(() => JSON.parse(fs.readFileSync(file, 'utf8'))).not.toThrow();
    }
  });

  test('stats and convert --to chrome on 130,000 names and lanes', async () => {
    const s = await runCli(['stats', '--json', wide]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).byName).toHaveLength(names);
    const text = await runCli(['stats', '--no-color', wide]);
    expect(text.code).toBe(0);
    const file = path.join(dir, 'wide.chrome.json');
    const c = await runCli(['convert', wide, '--to', 'chrome', '-o', file]);
    expect(c.code).toBe(0);
    const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
    expect(events.filter((e: any) => e.ph === 'X')).toHaveLength(names);
  });

  test('html embeds at most --max-spans and points to serve for the rest', async () => {
    // Traces of 4 spans each; room for two of them.
    const file = path.join(dir, 'many.jsonl');
    write(
      file,
      (function* () {
        for (let t = 1; t <= 5; t++) {
          for (let k = 0; k < 4; k++) {
            const id = t * 10 + k;
            yield spanLine(
              100 + t,
              id,
              k > 0 ? t * 10 : undefined,
              `s${k}`,
              t * 100 + k,
              10,
            );
          }
        }
      })(),
    );
    const out = path.join(dir, 'many.html');
    const r = await runCli(['html', file, '--max-spans', '8', '-o', out]);
    expect(r.code).toBe(0);
    const page = fs.readFileSync(out, 'utf8');
    const data = JSON.parse(
      /<script type="application\/json" id="spantrail-data">(.*?)<\/script>/s.exec(
        page,
      )![1],
    );
    expect(data.traces.map((t: any) => t.id.slice(-2))).toEqual(['69', '68']);
    expect(data.note).toContain(
      'newest 2 of 5 traces (8 of 20 spans, at most 8)',
    );
    expect(data.note).toContain(`spantrail serve ${file}`);
    // The aggregates cover everything.
    expect(data.names.find((n: any) => n.name === 's0').count).toBe(5);
  });
});
