import { describe, expect, test } from '@jest/globals';
import { parseLine } from '../../src/format/parse.js';
import { parseLineFast } from '../../src/format/fastParse.js';
import fc from 'fast-check';
import { garbage, record } from './lines.js';
import { fcParams } from '../utils/fc.js';

function same(line: string, details: boolean): void {
  const opts = { details };
  expect(parseLineFast(line, opts)).toStrictEqual(parseLine(line, opts));
}

describe('parseLineFast', () => {
  test('agrees with the JSON.parse path on generated records', () => {
    fc.assert(
      fc.property(record, fc.boolean(), (line, details) => {
        same(line, details);
      }),
      fcParams({ numRuns: 3000 }),
    );
  });

  test('falls back on garbage and never throws', () => {
    fc.assert(
      fc.property(garbage, fc.boolean(), (line, details) => {
        same(line, details);
      }),
      fcParams({ numRuns: 3000 }),
    );
  });

  test('reads the writer layout on its fast path', () => {
    const line =
      '{"type":"span","traceId":"' +
      'a'.repeat(32) +
      '","spanId":"' +
      'b'.repeat(32) +
      '","name":"x","kind":1,"startTime":1763730000000000,"duration":5,' +
      '"status":{"code":2,"message":"m"},"attributes":{"k":"v","n":-1.5e3},' +
      '"events":[],"links":[]}';
    const original = JSON.parse;
    let calls = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      calls++;
      return original(...args);
    }) as typeof JSON.parse;
    let r;
    try {
      r = parseLineFast(line);
    } finally {
      JSON.parse = original;
    }
    expect(calls).toBe(0);
    expect(r).toStrictEqual(parseLine(line));
    expect(r.kind).toBe('record');
  });

  test('a deep nest inside attributes is malformed, not a crash', () => {
    const line =
      '{"type":"start","traceId":"' +
      'a'.repeat(32) +
      '","spanId":"' +
      'b'.repeat(32) +
      '","name":"x","kind":0,"startTime":1,"attributes":{"a":' +
      '['.repeat(100000) +
      ']'.repeat(100000) +
      '}}';
    same(line, true);
    same(line, false);
  });
});
