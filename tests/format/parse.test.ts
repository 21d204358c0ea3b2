import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  StatsCollector,
  TraceDecoder,
  TraceModel,
  createIssues,
  parseLine,
} from '../../src/reader/index.js';
import { hex32, spanLine } from '../reader/utils.js';

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
