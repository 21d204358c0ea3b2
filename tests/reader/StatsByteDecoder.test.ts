import type { SpanSource, TraceRecord } from '../../src/reader/index.js';
import { afterAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  StatsCollector,
  TraceByteDecoder,
  TraceReader,
  createIssues,
} from '../../src/reader/index.js';
import StatsByteDecoder from '../../src/reader/StatsByteDecoder.js';
import { garbage, record } from '../format/lines.js';
import { fcParams } from '../utils/fc.js';

// Ids that share their last four digits land in one slot of the
// collector's id filter; trace ids repeat so the same-trace shortcut runs.
const traceIds = [
  '0123456789abcdef0123456789abcdef',
  'ffffffffffffffffffffffffffff0001',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0001',
];
const spanIds = [
  '00000000000000000000000000000001',
  '11111111111111111111111111110001',
  '22222222222222222222222222220001',
  '3333333333333333333333333333beef',
  '444444444444444444444444444444ab',
];
const parents = [
  undefined,
  'cccccccccccccccccccccccccccccccc',
  'dddddddddddddddd',
  'eeeeeeeeeeeeeeeeeeee',
  'ABCDEFABCDEFABCDEFABCDEFABCDEFAB',
];
// Two invalid UTF-8 names decode alike; two names have escapes.
const names: Array<Buffer> = [
  Buffer.from('op'),
  Buffer.from('GET /users/:id'),
  Buffer.from('é名'),
  Buffer.from([0xff]),
  Buffer.from([0xfe]),
  Buffer.from('a\\"b'),
  Buffer.from('a\\\\b'),
  Buffer.from(''),
];
const attributes = [
  '{}',
  '{"db.rows":1,"cache.hit":false}',
  '{"a":"x\\"y","b":true,"c":null,"d":-1.5e3}',
  '{"a":{"b":[1,2]}}',
  '{"a":}',
  '{"a" :1}',
  '{"a":1,}',
  '{"a":tru}',
];
const events = ['[]', '[{"name":"e","time":1}]', '[', '[1,]'];

/** Span and start lines in (and near) the writer's layout. */
function writerLine(fuzzy: boolean): fc.Arbitrary<Buffer> {
  const pick = <T>(valid: Array<T>, odd: Array<T>): fc.Arbitrary<T> =>
    fuzzy ? fc.constantFrom(...valid, ...odd) : fc.constantFrom(...valid);
  return fc
    .record({
      start: fc.boolean(),
      trace: fc.nat(traceIds.length - 1),
      span: fc.nat(spanIds.length - 1),
      parent: fc.nat(fuzzy ? parents.length - 1 : 2),
      name: fc.nat(names.length - 1),
      kind: pick(['0', '1', '4', '5'], ['01', '1.5']),
      startTime: fc.oneof(
        fc.nat().map(String),
        pick(['1796185991372377', '0'], ['9007199254740994', '-1', '1e3']),
      ),
      duration: fc.oneof(fc.nat().map(String), pick(['0'], ['-5'])),
      code: fc.constantFrom('0', '1', '2', '3'),
      message: fc.option(fc.constantFrom('boom', 'a\\nb', 'é'), {
        nil: undefined,
      }),
      attributes: fc.nat(fuzzy ? attributes.length - 1 : 3),
      dropped: fuzzy ? fc.boolean() : fc.constant(false),
      events: fc.nat(fuzzy ? events.length - 1 : 1),
      links: fc.nat(fuzzy ? events.length - 1 : 1),
      tail: pick(['', ' ', '\r'], [' \r ', ' x']),
    })
    .map((r) => {
      const parent = parents[r.parent];
      const head =
        `{"type":"${r.start ? 'start' : 'span'}","traceId":"${traceIds[r.trace]}",` +
        `"spanId":"${spanIds[r.span]}"` +
        (parent === undefined ? '' : `,"parentId":"${parent}"`) +
        ',"name":"';
      let rest = `","kind":${r.kind},"startTime":${r.startTime}`;
      if (r.start) {
        rest += `,"attributes":${attributes[r.attributes]}}`;
      } else {
        rest +=
          `,"duration":${r.duration},"status":{"code":${r.code}` +
          (r.message === undefined ? '' : `,"message":"${r.message}"`) +
          `},"attributes":${attributes[r.attributes]}` +
          (r.dropped ? ',"dropped":{"attributes":2,"links":1}' : '') +
          `,"events":${events[r.events]},"links":${events[r.links]}}`;
      }
      return Buffer.concat([
        Buffer.from(head),
        names[r.name],
        Buffer.from(rest + r.tail),
      ]);
    });
}

const line: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: writerLine(false) },
  { weight: 3, arbitrary: writerLine(true) },
  { weight: 1, arbitrary: record.map((l) => Buffer.from(l)) },
  { weight: 1, arbitrary: garbage.map((l) => Buffer.from(l)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"type":"meta","version":1,"service":"s","runtime":"node","runtimeVersion":"20","startTime":1,"spantrail":"0.1.0"}',
        '{"type":"dropped","count":3,"time":5}',
        '',
      )
      .map((l) => Buffer.from(l)),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  },
  {
    // a line with bytes spliced in
    weight: 2,
    arbitrary: fc
      .tuple(
        writerLine(false),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 3 }),
      )
      .map(([l, i, bad]) => {
        const k = i % (l.length + 1);
        return Buffer.concat([l.subarray(0, k), bad, l.subarray(k)]);
      }),
  },
);

const file = fc.tuple(
  fc.array(line, { maxLength: 40 }),
  fc.boolean(),
  fc.array(fc.nat(6000), { maxLength: 6 }),
  fc.nat(4),
);

function join(lines: Array<Buffer>, tail: boolean): Buffer {
  return Buffer.concat(
    lines.flatMap((l, i) =>
      i < lines.length - 1 || tail ? [l, Buffer.from('\n')] : [l],
    ),
  );
}

function chunks(bytes: Buffer, cuts: Array<number>): Array<Buffer> {
  const out: Array<Buffer> = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(bytes.length, c);
    if (to > at) out.push(bytes.subarray(at, to));
    at = Math.max(at, to);
  }
  out.push(bytes.subarray(at));
  return out;
}

/** The figures `stats` prints, as the record path makes them. */
function oldPath(
  parts: Array<Buffer>,
  recentCount: number,
  name: string = 'f',
): Record<string, unknown> {
  const stats = new StatsCollector({ traceCapacity: 2, recentCount });
  // Not a StatsCollector itself, so no reader picks the byte path for it.
  const sink = {
    record: (r: TraceRecord, s: SpanSource): void => stats.record(r, s),
    rawStart: (id: string, l: string, s: SpanSource): void =>
      stats.rawStart(id, l, s),
  };
  const issues = createIssues();
  const d = new TraceByteDecoder(name, sink, issues, { details: false });
  for (const p of parts) d.write(p);
  d.end();
  const result = stats.result();
  return { result, issues, malformed: stats.malformedStarts, n: d.records };
}

function fastPath(
  parts: Array<Buffer>,
  recentCount: number,
): Record<string, unknown> {
  const stats = new StatsCollector({ traceCapacity: 2, recentCount });
  const issues = createIssues();
  const d = new StatsByteDecoder('f', stats, issues, { details: false });
  // Each chunk is overwritten after use, as the reader's reused buffers are.
  for (const p of parts) {
    const copy = Buffer.from(p);
    d.write(copy);
    copy.fill(0x5a);
  }
  d.end();
  const result = stats.result();
  return { result, issues, malformed: stats.malformedStarts, n: d.records };
}

describe('StatsByteDecoder', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-stats-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the same figures and skip counts as the record path', () => {
    fc.assert(
      fc.property(file, ([lines, tail, cuts, recent]) => {
        const bytes = join(lines, tail);
        const parts = chunks(bytes, cuts);
        expect(fastPath(parts, recent)).toStrictEqual(oldPath(parts, recent));
      }),
      fcParams({ numRuns: 2000 }),
    );
  });

  test('TraceReader takes the byte path for a file, across its reads', async () => {
    // Lines of many shapes over several of the reader's one-megabyte reads.
    const sample = fc.sample(line, { numRuns: 30000, seed: 14 });
    const bytes = join(sample, true);
    expect(bytes.length).toBeGreaterThan(2 << 20);
    const f = path.join(tmp, 'mixed.jsonl');
    fs.writeFileSync(f, bytes);
    const stats = new StatsCollector({ traceCapacity: 2 });
    const reader = new TraceReader({ details: false });
    const r = await reader.read(f, stats);
    const old = oldPath([bytes], 10, f);
    expect({
      result: stats.result(),
      issues: reader.issues,
      malformed: stats.malformedStarts,
      n: r.records,
    }).toStrictEqual(old);
    // The file did take the byte path: most of its lines are span lines.
    expect((old.result as any).finished).toBeGreaterThan(1000);
  });
});
