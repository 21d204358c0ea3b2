import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  LogHistogram,
  StatsCollector,
  TraceDecoder,
  TraceReader,
  createIssues,
} from '../../src/reader/index.js';
import { fixture, hex32, spanLine } from './utils.js';
import { fcParams } from '../utils/fc.js';

/**
 * The trace window as a Map that deletes its oldest key past the capacity,
 * with the collector's shortcut for a repeated trace id.
 */
function windowModel(
  spans: Array<[number, number]>,
  capacity: number,
): { count: number; kept: Array<[string, number]> } {
  const traces = new Map<string, { start: number }>();
  let lastId = '';
  let last: { start: number } | undefined;
  let count = 0;
  for (const [id, start] of spans.map(([i, s]): [string, number] => [
    hex32(i),
    s,
  ])) {
    let t = id === lastId && last != null ? last : traces.get(id);
    if (t == null) {
      count++;
      t = { start };
      traces.set(id, t);
      if (traces.size > capacity) traces.delete(traces.keys().next().value!);
    } else if (start < t.start) {
      t.start = start;
    }
    lastId = id;
    last = t;
  }
  const kept = [...traces.entries()]
    .sort((a, b) => b[1].start - a[1].start || (a[0] < b[0] ? -1 : 1))
    .map(([id, t]): [string, number] => [id, t.start]);
  return { count, kept };
}

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

  test('histogram buckets: dense or in a map, the same quantiles', () => {
    // The bucket method on a Map, as the histogram defines it.
    const model = (
      values: Array<number>,
      alpha: number,
      q: number,
      exactLimit: number,
    ): number => {
      const gamma = (1 + alpha) / (1 - alpha);
      const kept = values.filter((v) => v >= 0 && v !== Infinity);
      if (kept.length === 0) return NaN;
      const rank = Math.min(
        kept.length,
        Math.max(1, Math.ceil(q * kept.length)),
      );
      const min = Math.min(...kept);
      const max = Math.max(...kept);
      if (kept.length <= exactLimit) {
        return [...kept].sort((a, b) => a - b)[rank - 1];
      }
      if (rank === kept.length) return max;
      let seen = kept.filter((v) => v < 1).length;
      if (seen >= rank) return min;
      const buckets = new Map<number, number>();
      for (const v of kept) {
        if (v < 1) continue;
        const i = Math.ceil(Math.log(v) / Math.log(gamma));
        buckets.set(i, (buckets.get(i) ?? 0) + 1);
      }
      for (const k of [...buckets.keys()].sort((a, b) => a - b)) {
        seen += buckets.get(k)!;
        if (seen >= rank) {
          const estimate = (2 * Math.pow(gamma, k)) / (gamma + 1);
          return Math.min(max, Math.max(min, estimate));
        }
      }
      return max;
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat(),
            fc.double({ min: 0, max: 1e15, noNaN: true }),
            fc.constantFrom(0, 0.5, 1, 2 ** 53, -1, NaN, Infinity),
          ),
          { maxLength: 400 },
        ),
        fc.constantFrom(0.01, 0.1, 0.0001),
        fc.constantFrom(0, 5),
        (values, alpha, exactLimit) => {
          const h = new LogHistogram(alpha, exactLimit);
          for (const v of values) h.add(v);
          for (const q of [0, 0.5, 0.95, 0.99, 1]) {
            expect(h.quantile(q)).toBe(model(values, alpha, q, exactLimit));
          }
        },
      ),
      fcParams({ numRuns: 300 }),
    );
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

  test('trace window: the traces added last, whatever the capacity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.nat(12), fc.nat(4000)), fc.nat(50)), {
          maxLength: 3000,
          size: 'max',
        }),
        fc.constantFrom(0, 1, 2, 2.5, 3, 7, -1, NaN, Infinity),
        (spans, capacity) => {
          const stats = new StatsCollector({
            traceCapacity: capacity,
            recentCount: 1e6,
          });
          for (const [i, start] of spans) {
            stats.record(
              JSON.parse(
                spanLine({
                  traceId: hex32(i),
                  spanId: hex32(1),
                  startTime: start,
                }),
              ),
              { file: 'x' },
            );
          }
          const r = stats.result();
          const model = windowModel(spans, capacity);
          expect(r.traces).toBe(model.count);
          expect(r.recent.map((t) => [t.traceId, t.startTime])).toEqual(
            model.kept,
          );
        },
      ),
      fcParams({ numRuns: 100 }),
    );
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
