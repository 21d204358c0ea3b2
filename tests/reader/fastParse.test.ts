import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parseLine, parseLineFast } from '../../src/reader/index.js';
import { fcParams } from '../utils/fc.js';

const hexChars = '0123456789abcdef';
const hexId = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...hexChars), minLength: n, maxLength: n });

/** Strings that stress the escaper: quotes, controls, bidi, surrogates. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '</script>',
    '<img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '\u202eevil\u202c',
    '"\\\n\t',
    '\ud800',
    '__proto__',
    '',
  ),
);

const attrValue = fc.oneof(
  text,
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.array(text, { maxLength: 3 }),
  fc.constant(null),
  fc.constant({ nested: 1 }),
  fc.array(fc.oneof(fc.integer(), text), { maxLength: 3 }),
);

const attributes = fc.dictionary(
  fc.oneof(text, fc.constant('__proto__')),
  attrValue,
  {
    maxKeys: 5,
  },
);

const event = fc.record(
  {
    name: text,
    time: fc.oneof(fc.nat(), fc.double()),
    attributes,
    dropped: fc.nat(),
  },
  { requiredKeys: ['name', 'time'] },
);

const link = fc.record(
  {
    traceId: hexId(32),
    spanId: fc.oneof(hexId(32), hexId(16)),
    attributes,
  },
  { requiredKeys: ['traceId', 'spanId'] },
);

/** Records in the writer's key order, some fields varied past validity. */
const record = fc
  .record({
    type: fc.constantFrom('span', 'start'),
    traceId: fc.oneof(hexId(32), hexId(31), fc.constant('ABC')),
    spanId: hexId(32),
    parentId: fc.option(fc.oneof(hexId(32), hexId(16), hexId(20)), {
      nil: undefined,
    }),
    name: text,
    kind: fc.oneof(fc.nat(6), fc.double()),
    startTime: fc.oneof(
      fc.nat(),
      fc.constant(1763730000000000),
      fc.constant(2 ** 53 + 2),
      fc.double(),
    ),
    duration: fc.oneof(fc.nat(), fc.integer(), fc.constant(0)),
    status: fc.oneof(
      fc.record({ code: fc.nat(3) }),
      fc.record({ code: fc.nat(3), message: text }),
      fc.constant('bad'),
    ),
    attributes,
    events: fc.array(event, { maxLength: 2 }),
    links: fc.array(link, { maxLength: 2 }),
    dropped: fc.option(
      fc.record(
        { attributes: fc.nat(), events: fc.nat(), links: fc.integer() },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const out: Record<string, unknown> = {
      type: r.type,
      traceId: r.traceId,
      spanId: r.spanId,
    };
    if (r.parentId !== undefined) out.parentId = r.parentId;
    out.name = r.name;
    out.kind = r.kind;
    out.startTime = r.startTime;
    if (r.type === 'span') {
      out.duration = r.duration;
      out.status = r.status;
    }
    out.attributes = r.attributes;
    if (r.type === 'span') {
      out.events = r.events;
      out.links = r.links;
      if (r.dropped !== undefined) out.dropped = r.dropped;
    }
    return JSON.stringify(out);
  });

/** Lines near the layout: the generated record, cut or spliced. */
const garbage = fc.oneof(
  fc.string(),
  fc.tuple(record, fc.nat(), fc.nat(), fc.string()).map(([line, a, b, s]) => {
    const i = a % (line.length + 1);
    return line.slice(0, i) + s + line.slice(i + (b % 4));
  }),
  record.map((line) => line + ' \r'),
  record.map((line) => line.replace(/:/g, ': ')),
  fc.nat(5000).map((n) => '{"type":"span","traceId":' + '['.repeat(n)),
);

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
