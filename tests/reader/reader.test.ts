import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  LogHistogram,
  StatsCollector,
  TraceDecoder,
  TraceFollower,
  TraceModel,
  TraceReader,
  assignLanes,
  createIssues,
  decodeLegacyId,
  formatDuration,
  parseLine,
} from '../../src/reader/index.js';

const fixtures = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/traces',
);
const fixture = (name: string): string => path.join(fixtures, name);

async function load(...files: Array<string>): Promise<{
  model: TraceModel;
  reader: TraceReader;
}> {
  const model = new TraceModel();
  const reader = new TraceReader();
  await reader.readAll(files.map(fixture), model);
  return { model, reader };
}

const hex32 = (n: number): string => n.toString(16).padStart(32, '0');

function spanLine(o: {
  traceId: string;
  spanId: string;
  parentId?: string;
  name?: string;
  startTime?: number;
  duration?: number;
  code?: number;
}): string {
  return JSON.stringify({
    type: 'span',
    traceId: o.traceId,
    spanId: o.spanId,
    ...(o.parentId != null ? { parentId: o.parentId } : {}),
    name: o.name ?? 'op',
    kind: 0,
    startTime: o.startTime ?? 1000,
    duration: o.duration ?? 5000,
    status: { code: o.code ?? 0 },
    attributes: {},
    events: [],
    links: [],
  });
}

describe('parseLine', () => {
  test('reads each record type and skips unknown ones', () => {
    expect(parseLine('{"type":"dropped","count":2,"time":5}')).toEqual({
      kind: 'record',
      record: { type: 'dropped', count: 2, time: 5 },
    });
    expect(parseLine('{"type":"later","x":1}').kind).toBe('unknown');
    expect(parseLine('').kind).toBe('blank');
    expect(parseLine('\r').kind).toBe('blank');
    expect(parseLine('[1,2]').kind).toBe('malformed');
    expect(parseLine('{"type":"span"').kind).toBe('malformed');
  });

  test('validates field types before use', () => {
    const good = JSON.parse(spanLine({ traceId: hex32(1), spanId: hex32(2) }));
    const bad = (patch: Record<string, unknown>): string =>
      parseLine(JSON.stringify({ ...good, ...patch })).kind;
    expect(bad({})).toBe('record');
    expect(bad({ traceId: 'XYZ' })).toBe('malformed');
    expect(bad({ spanId: 'AB'.repeat(16) })).toBe('malformed');
    expect(bad({ parentId: 'abc' })).toBe('malformed');
    expect(bad({ duration: -1 })).toBe('malformed');
    expect(bad({ duration: Infinity })).toBe('malformed');
    expect(
      parseLine(
        JSON.stringify(good).replace('"duration":5000', '"duration":1e400'),
      ).kind,
    ).toBe('malformed');
    expect(bad({ startTime: '5' })).toBe('malformed');
    expect(bad({ name: 5 })).toBe('malformed');
    // Non-essential fields fall back instead of failing the record.
    const r = parseLine(
      JSON.stringify({
        ...good,
        kind: 99,
        status: 'no',
        attributes: [1],
        events: 'x',
        links: [{ traceId: 'zz' }],
      }),
    );
    expect(r.kind).toBe('record');
    if (r.kind === 'record' && r.record.type === 'span') {
      expect(r.record.kind).toBe(0);
      expect(r.record.status).toEqual({ code: 0 });
      expect(r.record.events).toEqual([]);
      expect(r.record.links).toEqual([]);
    }
  });

  test('hostile keys stay data in null-prototype attributes', () => {
    const line =
      '{"type":"span","traceId":"' +
      hex32(1) +
      '","spanId":"' +
      hex32(2) +
      '","name":"x","kind":0,"startTime":1,"duration":1,"status":{"code":0},' +
      '"attributes":{"__proto__":{"polluted":"yes"},"constructor":"c","toString":"t","ok":1},' +
      '"events":[{"name":"e","time":1,"attributes":{"__proto__":"p"}}],"links":[]}';
    const r = parseLine(line);
    expect(r.kind).toBe('record');
    if (r.kind === 'record' && r.record.type === 'span') {
      expect(Object.getPrototypeOf(r.record.attributes)).toBeNull();
      // An object is not a valid attribute value: dropped, not merged.
      expect(Object.keys(r.record.attributes)).toEqual([
        'constructor',
        'toString',
        'ok',
      ]);
      expect(r.record.events[0].attributes!['__proto__']).toBe('p');
    }
    expect(({} as any).polluted).toBeUndefined();
  });

  test('deeply nested and huge values do not crash it', () => {
    const deep = '['.repeat(200000) + ']'.repeat(200000);
    expect(parseLine(deep).kind).toBe('malformed');
    const nested = `{"type":"meta","service":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    expect(parseLine(nested).kind).toBe('record');
    expect(parseLine('{"type":"dropped","count":1e308,"time":1}').kind).toBe(
      'malformed',
    );
  });

  test('fast-check: garbage lines never throw nor pollute', () => {
    const keys = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'type',
      'traceId',
      'spanId',
      'attributes',
      'status',
      'events',
      'name',
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constantFrom('span', 'start', 'meta', 'dropped', 'stop', hex32(1)),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(keys, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          value.map((v) => JSON.stringify(v) ?? 'null'),
          fc
            .dictionary(keys, value)
            .map(
              (o) =>
                '{"type":"span","traceId":"' +
                hex32(1) +
                '",' +
                JSON.stringify(o).slice(1),
            ),
        ),
        (line) => {
          const model = new TraceModel();
          const stats = new StatsCollector();
          const issues = createIssues();
          const sink = {
            record: (r: any, s: any) => {
              model.record(r, s);
              stats.record(r, s);
            },
          };
          const d = new TraceDecoder('x', sink, issues);
          d.write(line + '\n' + line);
          d.end();
          for (const id of model.traceIds()) model.flatten(id);
          stats.result();
          return ({} as any).polluted === undefined;
        },
      ),
      { numRuns: 500 },
    );
    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
  });
});

describe('TraceReader', () => {
  test('skips and counts malformed, unknown and torn lines', async () => {
    const { model, reader } = await load('basic.jsonl');
    expect(reader.issues.malformed).toBe(1);
    expect(reader.issues.unknown).toBe(1);
    expect(reader.issues.torn).toBe(1);
    expect(reader.issues.samples.map((s) => s.line)).toEqual([10, 19]);
    expect(model.spans.size).toBe(8);
    expect(model.droppedRecords).toBe(3);
  });

  test('reads a stream split at arbitrary byte boundaries (UTF-8 safe)', async () => {
    const text =
      spanLine({ traceId: hex32(1), spanId: hex32(2), name: 'héllo ✓ 名前' }) +
      '\n' +
      spanLine({ traceId: hex32(1), spanId: hex32(3), parentId: hex32(2) }) +
      '\n';
    const bytes = Buffer.from(text);
    const chunks: Array<Buffer> = [];
    for (let i = 0; i < bytes.length; i += 3)
      chunks.push(bytes.subarray(i, i + 3));
    const model = new TraceModel();
    const reader = new TraceReader();
    const result = await reader.read(
      { name: 'mem', stream: Readable.from(chunks) },
      model,
    );
    expect(result.records).toBe(2);
    expect(model.spans.get(hex32(2))!.name).toBe('héllo ✓ 名前');
    expect(model.childrenOf(model.spans.get(hex32(2))!)).toHaveLength(1);
  });

  test('a valid last line without newline is a record, not torn', async () => {
    const model = new TraceModel();
    const reader = new TraceReader();
    await reader.read(
      {
        name: 'mem',
        stream: Readable.from([
          spanLine({ traceId: hex32(1), spanId: hex32(2) }),
        ]),
      },
      model,
    );
    expect(model.spans.size).toBe(1);
    expect(reader.issues.torn).toBe(0);
  });

  test('missing file is a TraceReadError', async () => {
    await expect(
      new TraceReader().read(fixture('nope.jsonl'), new TraceModel()),
    ).rejects.toMatchObject({ name: 'TraceReadError', code: 'ENOENT' });
  });
});

describe('TraceFollower', () => {
  test('reset() makes the next poll read the file again from the start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-reader-'));
    try {
      const file = path.join(dir, 'f.jsonl');
      const line = (n: number): string =>
        spanLine({ traceId: hex32(n), spanId: hex32(n), name: `s${n}` }) + '\n';
      fs.writeFileSync(file, line(1) + line(2));
      const names: Array<string> = [];
      let resets = 0;
      const follower = new TraceFollower(
        file,
        { record: (r) => names.push((r as any).name) },
        createIssues(),
        { onReset: () => resets++ },
      );
      expect(await follower.poll()).toBe(true);
      expect(await follower.poll()).toBe(false);
      follower.reset();
      fs.appendFileSync(file, line(3));
      expect(await follower.poll()).toBe(true);
      expect(names).toEqual(['s1', 's2', 's1', 's2', 's3']);
      expect(follower.records).toBe(3);
      // reset() is the caller's doing: no onReset for it
      expect(resets).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TraceModel', () => {
  test('open spans, errors, summaries and prefix lookup', async () => {
    const { model } = await load('basic.jsonl');
    expect(model.openSpans().map((s) => s.name)).toEqual([
      'Service.start',
      'Cache.warm',
    ]);
    expect(model.errors().map((s) => s.name)).toEqual(['Db.open', 'Db.query']);
    const [t1, t2] = model.traceIds();
    const s1 = model.summary(t1);
    expect(s1).toMatchObject({
      rootName: 'Service.start',
      spanCount: 5,
      openCount: 2,
      errorCount: 2,
    });
    expect(model.summary(t2)).toMatchObject({
      rootName: 'Job.run',
      spanCount: 3,
      duration: 1500000,
    });
    expect(model.recentTraces(1)[0].traceId).toBe(t2);
    expect(model.findTrace(t1.slice(0, 20))).toEqual({
      found: true,
      traceId: t1,
    });
    // Both ids share their time prefix: a short prefix is ambiguous.
    expect(model.findTrace(t1.slice(0, 8))).toMatchObject({
      found: false,
      reason: 'ambiguous',
    });
    expect(model.findTrace('ffff')).toMatchObject({
      found: false,
      reason: 'none',
    });
    const flat = model.flatten(t1).map((e) => `${e.depth}:${e.node.name}`);
    expect(flat).toEqual([
      '0:Service.start',
      '1:Db.open',
      '2:Db.query',
      '1:Cache.warm',
      '1:Http.get',
    ]);
  });

  test('merges files; a 16-hex parent resolves by suffix', async () => {
    const { model } = await load('merged-client.jsonl', 'merged-server.jsonl');
    const ids = model.traceIds();
    expect(ids).toHaveLength(1);
    const flat = model.flatten(ids[0]).map((e) => `${e.depth}:${e.node.name}`);
    expect(flat).toEqual([
      '0:Client.request',
      '1:Server.handle',
      '2:Db.select',
      '1:Client.render',
    ]);
    const handle = [...model.spans.values()].find(
      (s) => s.name === 'Server.handle',
    )!;
    expect(handle.parentId).toHaveLength(16);
    expect(handle.source.meta!.service).toBe('api');
    expect(model.parentOf(handle)!.source.meta!.service).toBe('web');
  });

  test('parent cycles and self-parents still draw every span once', () => {
    const model = new TraceModel();
    const issues = createIssues();
    const d = new TraceDecoder('x', model, issues);
    d.write(
      [
        spanLine({ traceId: hex32(1), spanId: hex32(2), parentId: hex32(3) }),
        spanLine({ traceId: hex32(1), spanId: hex32(3), parentId: hex32(2) }),
        spanLine({ traceId: hex32(1), spanId: hex32(4), parentId: hex32(4) }),
      ].join('\n') + '\n',
    );
    d.end();
    const flat = model.flatten(hex32(1));
    expect(flat.map((e) => e.node.spanId).sort()).toEqual(
      [hex32(2), hex32(3), hex32(4)].sort(),
    );
  });

  test('a span record replaces its open start', () => {
    const model = new TraceModel();
    const d = new TraceDecoder('x', model, createIssues());
    d.write(
      JSON.stringify({
        type: 'start',
        traceId: hex32(1),
        spanId: hex32(2),
        name: 'a',
        kind: 0,
        startTime: 10,
        attributes: {},
      }) + '\n',
    );
    expect(model.openSpans()).toHaveLength(1);
    d.write(
      spanLine({ traceId: hex32(1), spanId: hex32(2), name: 'b' }) + '\n',
    );
    expect(model.openSpans()).toHaveLength(0);
    expect(model.spans.get(hex32(2))!.name).toBe('b');
    expect(model.traceSpans(hex32(1))).toHaveLength(1);
  });
});

describe('legacy js-logger format', () => {
  test('ids decode to hex and their time', () => {
    const d = decodeLegacyId('v0q90c98001o0110kghimqd9700');
    expect(d).toBeDefined();
    expect(d!.hex).toMatch(/^[0-9a-f]{32}$/);
    expect(d!.time).toBe(1763730000000000);
    expect(decodeLegacyId('vnot-an-id')).toBeUndefined();
    expect(decodeLegacyId('')).toBeUndefined();
  });

  test('builds trees with times from the ids', async () => {
    const { model, reader } = await load('legacy.jsonl');
    expect(reader.issues.malformed).toBe(0);
    const [t1, t2] = model.traceIds();
    expect(
      model
        .flatten(t1)
        .map((e) => `${e.depth}:${e.node.name}:${e.node.duration}`),
    ).toEqual([
      '0:handler:25000000',
      '1:parseBody:3000000',
      '1:db.query:14000000',
      '2:db.connect:2000000',
    ]);
    expect(
      model.flatten(t2).map((e) => `${e.node.name}:${e.node.open}`),
    ).toEqual(['handler:true', 'waitForLock:true']);
  });

  test('the spanId/parentSpanId/end variant is read too', async () => {
    const idMod = (await import('@matrixai/id')).default;
    const gen = new idMod.IdSortable();
    const mb = (): string => idMod.utils.toMultibase(gen.get(), 'base64');
    const span = mb();
    const lines = [
      { type: 'start', id: mb(), spanId: span, name: 'outer' },
      {
        type: 'start',
        id: mb(),
        spanId: mb(),
        parentSpanId: span,
        name: 'inner',
      },
      { type: 'end', id: mb(), spanId: span, name: 'outer' },
    ];
    const model = new TraceModel();
    const d = new TraceDecoder('x', model, createIssues());
    d.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    d.end();
    const [id] = model.traceIds();
    expect(
      model.flatten(id).map((e) => `${e.depth}:${e.node.name}:${e.node.open}`),
    ).toEqual(['0:outer:false', '1:inner:true']);
  });
});

describe('StatsCollector and LogHistogram', () => {
  test('histogram quantiles within the stated relative error', () => {
    const h = new LogHistogram(0.01, 256);
    const values: Array<number> = [];
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = Math.floor(Math.exp((x / 2147483648) * 20)) * 1000;
      values.push(v);
      h.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      const est = h.quantile(q);
      expect(Math.abs(est - exact) / exact).toBeLessThanOrEqual(0.0100001);
    }
    expect(h.max).toBe(values[values.length - 1]);
    expect(h.size).toBeLessThan(2000);
  });

  test('small samples are exact', () => {
    const h = new LogHistogram();
    [5, 1, 4, 2, 3].forEach((v) => h.add(v));
    expect(h.quantile(0.5)).toBe(3);
    expect(h.quantile(0.99)).toBe(5);
    expect(new LogHistogram().quantile(0.5)).toBeNaN();
  });

  test('stats of a fixture', async () => {
    const stats = new StatsCollector();
    const reader = new TraceReader({ details: false });
    await reader.read(fixture('basic.jsonl'), stats);
    const r = stats.result();
    expect(r).toMatchObject({ spans: 8, finished: 6, errors: 2, traces: 2 });
    expect(r.open.map((o) => o.name)).toEqual(['Service.start', 'Cache.warm']);
    expect(r.dropped).toEqual({
      records: 3,
      attributes: 2,
      events: 1,
      links: 1,
    });
    expect(r.byName[0]).toMatchObject({
      name: 'Job.run',
      count: 1,
      max: 1500000,
    });
    expect(r.recent.map((t) => t.rootName)).toEqual([
      'Job.run',
      'Service.start',
    ]);
  });

  test('unparsed start lines: eviction, late parse, invalid ones', () => {
    const stats = new StatsCollector();
    const d = new TraceDecoder('x', stats, createIssues());
    const start = (i: number): string =>
      JSON.stringify({
        type: 'start',
        traceId: hex32(1),
        spanId: hex32(i),
        name: `s${i % 3}`,
        kind: 0,
        startTime: i,
        attributes: {},
      });
    // 300 starts (more than are held unparsed), then 299 of their spans.
    for (let i = 1; i <= 300; i++) d.write(start(i) + '\n');
    for (let i = 300; i >= 2; i--) {
      d.write(
        spanLine({ traceId: hex32(1), spanId: hex32(i), startTime: i }) + '\n',
      );
    }
    // A start-looking line that is not valid JSON.
    d.write(
      '{"type":"start","traceId":"' +
        hex32(1) +
        '","spanId":"' +
        hex32(999) +
        '",oops\n',
    );
    d.end();
    const r = stats.result();
    expect(r.open.map((o) => o.spanId)).toEqual([hex32(1)]);
    expect(r.finished).toBe(299);
    expect(r.recent[0]).toMatchObject({ spanCount: 300, openCount: 1 });
    expect(stats.malformedStarts).toBe(1);
  });

  test('bounded trace window', () => {
    const stats = new StatsCollector({ traceCapacity: 10, recentCount: 3 });
    const d = new TraceDecoder('x', stats, createIssues());
    for (let i = 1; i <= 100; i++) {
      d.write(
        spanLine({ traceId: hex32(i), spanId: hex32(i), startTime: i }) + '\n',
      );
    }
    const r = stats.result();
    expect(r.traces).toBe(100);
    expect(r.recent.map((t) => t.traceId)).toEqual([
      hex32(100),
      hex32(99),
      hex32(98),
    ]);
  });
});

describe('lanes and formatting', () => {
  test('overlapping non-nested spans never share a lane', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ start: fc.nat(1000), len: fc.nat(300) }), {
          maxLength: 60,
        }),
        (raw) => {
          const items = raw.map((r, i) => ({
            id: String(i),
            start: r.start,
            end: r.start + r.len,
          }));
          const lanes = assignLanes(items);
          for (const a of items) {
            for (const b of items) {
              if (a === b || lanes.get(a.id) !== lanes.get(b.id)) continue;
              const overlap = a.start < b.end && b.start < a.end;
              const nested =
                (a.start <= b.start && b.end <= a.end) ||
                (b.start <= a.start && a.end <= b.end);
              if (overlap && !nested) return false;
            }
          }
          return true;
        },
      ),
    );
  });

  test('durations in human units', () => {
    expect(formatDuration(850)).toBe('850ns');
    expect(formatDuration(12345)).toBe('12.3µs');
    expect(formatDuration(999700)).toBe('1.00ms');
    expect(formatDuration(1250000)).toBe('1.25ms');
    expect(formatDuration(3.4e9)).toBe('3.40s');
    expect(formatDuration(123e9)).toBe('2m 03s');
    expect(formatDuration(3.72e12)).toBe('1h 02m');
  });
});
