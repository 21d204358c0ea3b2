import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type {
  MetaRecord,
  SpanSource,
  TraceRecord,
} from '../../src/reader/index.js';
import { SpanIndex, TraceModel } from '../../src/reader/index.js';
import { fcParams } from '../utils/fc.js';

const hex = (n: number, len = 32): string => n.toString(16).padStart(len, '0');
const source: SpanSource = { file: 'f' };

function span(
  trace: number,
  id: number,
  parent: number | string | undefined,
  name: string,
  start: number,
  duration: number,
  code: 0 | 1 | 2 = 0,
): TraceRecord {
  const r: TraceRecord = {
    type: 'span',
    traceId: hex(trace),
    spanId: hex(id),
    name,
    kind: 0,
    startTime: start,
    duration,
    status: { code },
    attributes: Object.create(null),
    events: [],
    links: [],
  };
  if (parent != null) {
    r.parentId = typeof parent === 'string' ? parent : hex(parent);
  }
  return r;
}

function start(
  trace: number,
  id: number,
  parent: number | undefined,
  name: string,
  at: number,
): TraceRecord {
  const r: TraceRecord = {
    type: 'start',
    traceId: hex(trace),
    spanId: hex(id),
    name,
    kind: 0,
    startTime: at,
    attributes: Object.create(null),
  };
  if (parent != null) r.parentId = hex(parent);
  return r;
}

/** The source of a process that wrote a `meta` record. */
function proc(
  service: string,
  pid?: number,
  host?: string,
  startTime = 1763730000000000,
): SpanSource {
  const meta: MetaRecord = {
    type: 'meta',
    version: 1,
    service,
    runtime: 'node',
    startTime,
    spantrail: '0.1.0',
  };
  if (pid != null) meta.pid = pid;
  if (host != null) meta.host = host;
  return { file: `${service}-${pid}.jsonl`, meta };
}

describe('SpanIndex', () => {
  test('children written before their parent are linked to it', () => {
    const index = new SpanIndex();
    index.record(span(1, 3, 2, 'leaf', 102, 1000), source);
    index.record(span(1, 2, 1, 'mid', 101, 3000), source);
    index.record(span(1, 1, undefined, 'root', 100, 9000, 2), source);
    const t = index.traceTable(hex(1))!;
    expect(t.spanId).toEqual([hex(1), hex(2), hex(3)]);
    expect(t.parent).toEqual([-1, 0, 1]);
    expect(t.names[t.name[0]]).toBe('root');
    const list = index.traceList();
    expect(list.traces).toHaveLength(1);
    expect(list.traces[0]).toMatchObject({
      root: 'root',
      spans: 3,
      errors: 1,
      open: 0,
      duration: 9000,
    });
  });

  test('a remote 16-hex parent resolves by suffix', () => {
    const index = new SpanIndex();
    index.record(span(1, 1, undefined, 'client', 100, 9000), source);
    index.record(span(1, 2, hex(1).slice(16), 'server', 101, 100), source);
    expect(index.traceTable(hex(1))!.parent).toEqual([-1, 0]);
  });

  test('a 16-hex parent whose suffix is a span in other traces resolves in its own trace', () => {
    const index = new SpanIndex();
    // three traces hold a span with the same low 16 digits; a later span
    // of another trace carries it too; each child names its parent by it
    const suffix = hex(7, 16);
    const full = (high: number): string =>
      ((BigInt(high) << 64n) | 7n).toString(16).padStart(32, '0');
    expect(full(3).slice(16)).toBe(suffix);
    for (const t of [1, 2, 3]) {
      const root = span(t, 0, undefined, `root${t}`, 100, 9000);
      index.record({ ...root, spanId: full(t) } as TraceRecord, source);
    }
    for (const t of [3, 1, 2]) {
      index.record(span(t, 100 + t, suffix, `child${t}`, 101, 10), source);
    }
    for (const t of [1, 2, 3]) {
      const table = index.traceTable(hex(t))!;
      expect(table.spanId).toEqual([full(t), hex(100 + t)]);
      expect(table.parent).toEqual([-1, 0]);
    }
  });

  test('open spans count until their span record arrives', () => {
    const index = new SpanIndex();
    index.record(start(1, 1, undefined, 'root', 100), source);
    index.record(start(1, 2, 1, 'child', 101), source);
    expect(index.totals().open).toBe(2);
    expect(index.openSpans().spans.map((o) => o.name)).toEqual([
      'root',
      'child',
    ]);
    index.record(span(1, 2, 1, 'child', 101, 500), source);
    expect(index.totals().open).toBe(1);
    expect(index.traceList({ filter: 'open' }).traces).toHaveLength(1);
    index.record(span(1, 1, undefined, 'root', 100, 900), source);
    expect(index.totals()).toMatchObject({ open: 0, spans: 2, traces: 1 });
  });

  test('flame merges traces by call path; byName has exact percentiles', () => {
    const index = new SpanIndex();
    for (let t = 1; t <= 100; t++) {
      const base = t * 100;
      index.record(span(t, base, undefined, 'GET', t * 1000, 10000), source);
      index.record(span(t, base + 1, base, 'db', t * 1000 + 1, t * 10), source);
    }
    // the same name under another path is another node
    index.record(span(500, 50000, undefined, 'db', 1, 7), source);
    const f = index.flame();
    const nodes = f.name.map((n, k) => ({
      name: f.names[n],
      parent: f.parent[k] >= 0 ? f.names[f.name[f.parent[k]]] : null,
      total: f.total[k],
      count: f.count[k],
    }));
    expect(nodes).toEqual(
      expect.arrayContaining([
        { name: 'GET', parent: null, total: 100 * 10000, count: 100 },
        { name: 'db', parent: 'GET', total: 10 * 5050, count: 100 },
        { name: 'db', parent: null, total: 7, count: 1 },
      ]),
    );
    const db = index.byName().find((r) => r.name === 'db')!;
    expect(db.count).toBe(101);
    expect(db.p50).toBe(500);
    expect(db.p99).toBe(990);
    expect(db.max).toBe(1000);
    expect(db.hist.reduce((a, b) => a + b, 0)).toBe(101);
  });

  test('search: id prefixes, names, and spans found elsewhere', () => {
    const index = new SpanIndex();
    index.record(span(0xabc1, 0x111, undefined, 'Alpha.run', 1, 10), source);
    index.record(span(0xabc2, 0x222, undefined, 'beta.RUN', 2, 10), source);
    index.record(span(0xdef3, 0x333, undefined, 'gamma', 3, 10), source);
    const ids = (s: Set<number>): Array<string> =>
      index
        .traceList({ only: s })
        .traces.map((t) => t.id.slice(-4))
        .sort();
    expect(ids(index.search('RUN'))).toEqual(['abc1', 'abc2']);
    expect(ids(index.search(hex(0xdef3).slice(0, 29)))).toEqual(['def3']);
    expect(ids(index.search(hex(0x222).slice(0, 30)))).toEqual(['abc2']);
    expect(ids(index.search('nothing', [2]))).toEqual(['def3']);
  });

  test('a 100,000-deep chain and a parent cycle: no recursion, no hang', () => {
    const index = new SpanIndex();
    const n = 100000;
    for (let i = n; i >= 1; i--) {
      index.record(
        span(1, i, i > 1 ? i - 1 : undefined, `f${i % 7}`, i, n - i + 1),
        source,
      );
    }
    // hostile: a cycle in another trace
    index.record(span(2, n + 1, n + 2, 'x', 1, 1), source);
    index.record(span(2, n + 2, n + 1, 'y', 1, 1), source);
    const f = index.flame();
    expect(f.name.length).toBe(n + 2);
    expect(index.traceTable(hex(1))!.spanId).toHaveLength(n);
    expect(index.traceList().traces).toHaveLength(2);
  });

  test('a span id reused in a second trace is a span of that trace', () => {
    const index = new SpanIndex();
    const at = (line: number): void => index.at('f', line * 100, 99);
    // trace 2's child comes first: its parent id is also a span of trace 1
    at(0);
    index.record(span(2, 12, 11, 'second.child', 21, 5), source);
    at(1);
    index.record(span(1, 11, undefined, 'first.root', 10, 50), source);
    at(2);
    index.record(span(1, 12, 11, 'first.child', 11, 5), source);
    at(3);
    index.record(start(2, 11, undefined, 'second.root', 20), source);
    at(4);
    index.record(span(2, 11, undefined, 'second.root', 20, 50), source);
    const first = index.traceTable(hex(1))!;
    const second = index.traceTable(hex(2))!;
    const named = (t: typeof first): Array<[string, string, number]> =>
      t.spanId.map((id, k) => [id, t.names[t.name[k]], t.parent[k]]);
    expect(named(first)).toEqual([
      [hex(11), 'first.root', -1],
      [hex(12), 'first.child', 0],
    ]);
    expect(named(second)).toEqual([
      [hex(11), 'second.root', -1],
      [hex(12), 'second.child', 0],
    ]);
    expect(index.traceList().traces.map((t) => [t.id, t.root, t.open])).toEqual(
      [
        [hex(2), 'second.root', 0],
        [hex(1), 'first.root', 0],
      ],
    );
    // each (trace, span id) has its own latest line
    const where = (id: number, trace?: number) => {
      const loc = index.locate(
        hex(id),
        trace === undefined ? undefined : hex(trace),
      )!;
      return [loc.traceId, loc.offset];
    };
    expect(where(11, 1)).toEqual([hex(1), 100]);
    expect(where(11, 2)).toEqual([hex(2), 400]);
    expect(where(12, 1)).toEqual([hex(1), 200]);
    expect(where(12, 2)).toEqual([hex(2), 0]);
    // without a trace id: the one seen last
    expect(where(11)).toEqual([hex(2), 400]);
    expect(index.locate(hex(12), hex(3))).toBeUndefined();
    expect(index.size).toBe(4);
  });

  test('agrees with TraceModel on trace summaries (random trees, span ids reused across traces)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            id: fc.integer({ min: 1, max: 8 }),
            trace: fc.integer({ min: 1, max: 3 }),
            parent: fc.option(fc.integer({ min: 1, max: 8 }), {
              nil: undefined,
            }),
            start: fc.integer({ min: 1, max: 1000 }),
            dur: fc.integer({ min: 0, max: 5000 }),
            open: fc.boolean(),
            error: fc.boolean(),
          }),
          { maxLength: 20, selector: (s) => `${s.trace}/${s.id}` },
        ),
        (specs) => {
          const index = new SpanIndex();
          const model = new TraceModel();
          specs.forEach((s, k) => {
            const id = s.id;
            const r = s.open
              ? start(s.trace, id, s.parent, `n${k % 3}`, s.start)
              : span(
                  s.trace,
                  id,
                  s.parent,
                  `n${k % 3}`,
                  s.start,
                  s.dur,
                  s.error ? 2 : 0,
                );
            index.record(r, source);
            model.record(r, source);
          });
          const list = index.traceList({ limit: 100 });
          expect(list.total).toBe(model.traceIds().length);
          for (const item of list.traces) {
            const s = model.summary(item.id);
            expect(item.spans).toBe(s.spanCount);
            expect(item.errors).toBe(s.errorCount);
            expect(item.open).toBe(s.openCount);
            expect(item.start).toBe(s.startTime);
            // Every span's tree parent is the model's tree parent.
            const t = index.traceTable(item.id)!;
            t.spanId.forEach((sid, k) => {
              const parent = model.parentOf(model.getSpan(item.id, sid)!);
              const mine = t.parent[k] >= 0 ? t.spanId[t.parent[k]] : undefined;
              expect(mine).toBe(parent?.spanId);
            });
          }
        },
      ),
      fcParams({ numRuns: 300 }),
    );
  });
});

describe('SpanIndex services and processes', () => {
  /** Trace numbers (last hex digits) a query lists, sorted. */
  const listed = (
    index: SpanIndex,
    q: Parameters<SpanIndex['traceList']>[0],
  ): Array<number> =>
    index
      .traceList(q)
      .traces.map((t) => parseInt(t.id, 16))
      .sort((a, b) => a - b);

  test('a trace crossing processes is listed under each service and each process', () => {
    const index = new SpanIndex();
    const web = proc('web', 1001, 'client-host');
    const api = proc('api', 2002, 'server-host');
    // trace 1: web calls api (the server's span is written first)
    index.record(span(1, 12, 11, 'Server.handle', 110, 50), api);
    index.record(span(1, 11, undefined, 'Client.request', 100, 90), web);
    index.record(span(2, 21, undefined, 'Api.cron', 200, 10, 2), api);
    index.record(span(3, 31, undefined, 'Web.render', 300, 10), web);
    expect(listed(index, { service: 'api' })).toEqual([1, 2]);
    expect(listed(index, { service: 'web' })).toEqual([1, 3]);
    const ids = index.processes().map((p) => p.id);
    expect(index.processes().map((p) => [p.label, p.traces])).toEqual([
      ['api (pid 2002, server-host)', 2],
      ['web (pid 1001, client-host)', 2],
    ]);
    expect(listed(index, { process: ids[0] })).toEqual([1, 2]);
    expect(listed(index, { process: ids[1] })).toEqual([1, 3]);
    expect(index.serviceList()).toEqual([
      { service: 'api', traces: 2 },
      { service: 'web', traces: 2 },
    ]);
    // combined with each other, with a list, with a search
    expect(listed(index, { service: 'web', process: ids[0] })).toEqual([1]);
    expect(listed(index, { service: 'api', filter: 'errors' })).toEqual([2]);
    expect(
      listed(index, { process: ids[1], only: index.search('server') }),
    ).toEqual([1]);
    expect(
      index.traceList({ service: 'api', filter: 'errors' }).counts,
    ).toEqual({ all: 2, errors: 1, open: 0 });
    // unknown names match nothing
    expect(listed(index, { service: 'nope' })).toEqual([]);
    expect(listed(index, { process: 'nope' })).toEqual([]);
    expect(index.traceProcesses(0)).toEqual([0, 1]);
    expect(index.traceProcesses(1)).toEqual([0]);
  });

  test('two runs of a service are two processes; a meta written again is the same one', () => {
    const index = new SpanIndex();
    const first = proc('api', 7, 'box');
    const second = proc('api', 8, 'box');
    // the first run opens its output twice (two `meta` records)
    const again = proc('api', 7, 'box', 1763730009000000);
    const elsewhere = proc('api', 7, 'other-box');
    const browser = proc('app', undefined, undefined, 1763730000000000);
    const reloaded = proc('app', undefined, undefined, 1763730001000000);
    index.record(span(1, 1, undefined, 'a', 1, 1), first);
    index.record(span(2, 2, undefined, 'b', 2, 1), second);
    index.record(span(3, 3, undefined, 'c', 3, 1), again);
    index.record(span(4, 4, undefined, 'd', 4, 1), elsewhere);
    index.record(span(5, 5, undefined, 'e', 5, 1), browser);
    index.record(span(6, 6, undefined, 'f', 6, 1), reloaded);
    index.record(span(7, 7, undefined, 'g', 7, 1), { file: 'plain.jsonl' });
    const procs = index.processes();
    expect(procs.map((p) => [p.label, p.traces])).toEqual([
      ['api (pid 7, box)', 2],
      ['api (pid 8, box)', 1],
      ['api (pid 7, other-box)', 1],
      ['app (started 2025-11-21T13:00:00.000Z)', 1],
      ['app (started 2025-11-21T13:00:01.000Z)', 1],
      ['plain.jsonl', 1],
    ]);
    expect(listed(index, { process: procs[0].id })).toEqual([1, 3]);
    expect(listed(index, { process: procs[1].id })).toEqual([2]);
    expect(listed(index, { service: 'api' })).toEqual([1, 2, 3, 4]);
    expect(listed(index, { service: 'plain.jsonl' })).toEqual([7]);
  });

  test('offset and limit page through the sorted list: every trace once', () => {
    const index = new SpanIndex();
    for (let t = 1; t <= 1234; t++) {
      index.record(span(t, t, undefined, 'x', t, (t * 7919) % 1000), source);
    }
    for (const sort of ['newest', 'slowest'] as const) {
      const whole = index
        .traceList({ sort, limit: Infinity })
        .traces.map((t) => t.id);
      const paged: Array<string> = [];
      for (let offset = 0; offset < 1234; offset += 500) {
        const page = index.traceList({ sort, offset, limit: 500 });
        expect(page.total).toBe(1234);
        paged.push(...page.traces.map((t) => t.id));
      }
      expect(paged).toEqual(whole);
      expect(new Set(paged).size).toBe(1234);
    }
    expect(index.traceList({ offset: 5000 }).traces).toEqual([]);
    expect(index.traceList({ offset: NaN, limit: 2 }).traces).toHaveLength(2);
    expect(index.traceList({ offset: -3, limit: 2 }).traces[0].id).toBe(
      hex(1234),
    );
  });

  test('service and process filters agree with the spans (random traces across processes)', () => {
    const sources = [
      proc('a', 1),
      proc('a', 2),
      proc('b', 3),
      proc('b', 3, 'h'),
      { file: 'f.jsonl' },
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            trace: fc.integer({ min: 1, max: 6 }),
            id: fc.integer({ min: 1, max: 30 }),
            source: fc.integer({ min: 0, max: sources.length - 1 }),
            open: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (specs) => {
          const index = new SpanIndex();
          for (const s of specs) {
            const r = s.open
              ? start(s.trace, s.id, undefined, 'n', s.id)
              : span(s.trace, s.id, undefined, 'n', s.id, 5);
            index.record(r, sources[s.source]);
          }
          // the naive answer: per trace, the processes of its spans' records
          // (a record of a span already indexed is its latest: its process
          // counts too; a `start` after it is ignored)
          const seen = new Map<string, number>();
          const touched = new Map<number, Set<number>>();
          for (const s of specs) {
            const key = `${s.trace}/${s.id}`;
            if (seen.has(key) && s.open) continue;
            seen.set(key, s.source);
            let set = touched.get(s.trace);
            if (set == null) touched.set(s.trace, (set = new Set()));
            set.add(s.source);
          }
          const procs = index.processes();
          const labelOf = (src: SpanSource): string =>
            src.meta == null
              ? src.file
              : `${src.meta.service} (pid ${src.meta.pid}` +
                (src.meta.host != null ? `, ${src.meta.host})` : ')');
          const rowOf = (k: number): number =>
            procs.findIndex((p) => p.label === labelOf(sources[k]));
          for (let k = 0; k < sources.length; k++) {
            const row = rowOf(k);
            const want = [...touched]
              .filter(([, set]) => set.has(k))
              .map(([t]) => t)
              .sort((a, b) => a - b);
            if (row < 0) {
              expect(want).toEqual([]);
              continue;
            }
            expect(listed(index, { process: procs[row].id })).toEqual(want);
            expect(procs[row].traces).toBe(want.length);
          }
          for (const svc of ['a', 'b', 'f.jsonl']) {
            const ks = sources
              .map((src, k) => [src.meta?.service ?? src.file, k] as const)
              .filter(([name]) => name === svc)
              .map(([, k]) => k);
            const want = [...touched]
              .filter(([, set]) => ks.some((k) => set.has(k)))
              .map(([t]) => t)
              .sort((a, b) => a - b);
            expect(listed(index, { service: svc })).toEqual(want);
            const row = index.serviceList().find((r) => r.service === svc);
            expect(row?.traces ?? 0).toBe(want.length);
          }
        },
      ),
      fcParams({ numRuns: 200 }),
    );
  });
});
