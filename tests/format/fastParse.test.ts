import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { SpanSource, TraceRecord } from '../../src/reader/index.js';
import {
  TraceByteDecoder,
  TraceDecoder,
  createIssues,
  parseLine,
  parseLineFast,
} from '../../src/reader/index.js';
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

/** Everything a sink sees, with the byte decoder's line offsets. */
function decodeAll(
  bytes: Buffer,
  cuts: Array<number>,
  details: boolean,
  byBytes: boolean,
): { out: Array<unknown>; issues: unknown } {
  const out: Array<unknown> = [];
  const issues = createIssues();
  const ref: { decoder?: TraceByteDecoder | TraceDecoder } = {};
  const sink = {
    record: (r: TraceRecord, s: SpanSource): void => {
      const entry: Record<string, unknown> = { r, file: s.file };
      if (byBytes) {
        const d = ref.decoder as TraceByteDecoder;
        entry.line = bytes
          .subarray(d.lineOffset, d.lineOffset + d.lineLength)
          .toString('latin1');
      }
      out.push(entry);
    },
  };
  const decoder = byBytes
    ? new TraceByteDecoder('f', sink, issues, { details })
    : new TraceDecoder('f', sink, issues, { details });
  ref.decoder = decoder;
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(bytes.length, c);
    if (to > at) decoder.write(bytes.subarray(at, to));
    at = Math.max(at, to);
  }
  decoder.write(bytes.subarray(at));
  decoder.end();
  return { out, issues };
}

describe('TraceByteDecoder', () => {
  const file = fc
    .array(
      fc.oneof(
        record.map((l) => Buffer.from(l)),
        garbage.map((l) => Buffer.from(l)),
        fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
        fc
          .tuple(
            record,
            fc.nat(),
            fc.uint8Array({ minLength: 1, maxLength: 3 }),
          )
          .map(([l, i, bad]) => {
            const b = Buffer.from(l);
            const k = i % (b.length + 1);
            return Buffer.concat([b.subarray(0, k), bad, b.subarray(k)]);
          }),
      ),
      { maxLength: 8 },
    )
    .chain((lines) =>
      fc.tuple(
        fc.constant(lines),
        fc.boolean(),
        fc.array(fc.nat(4000), { maxLength: 5 }),
      ),
    );

  test('delivers what the string decoder delivers, with line offsets', () => {
    fc.assert(
      fc.property(file, fc.boolean(), ([lines, tail, cuts], details) => {
        const bytes = Buffer.concat(
          lines.flatMap((l, i) =>
            i < lines.length - 1 || tail ? [l, Buffer.from('\n')] : [l],
          ),
        );
        const a = decodeAll(bytes, cuts, details, true);
        const b = decodeAll(bytes, cuts, details, false);
        expect(a.issues).toStrictEqual(b.issues);
        expect(a.out.map((e: any) => e.r)).toStrictEqual(
          b.out.map((e: any) => e.r),
        );
        // Each record's line, found by its offset, is the line that holds it.
        for (const e of a.out as Array<any>) {
          expect(e.line).not.toContain('\n');
          if (e.r.type === 'span' || e.r.type === 'start') {
            expect(e.line).toContain(e.r.spanId);
          }
        }
      }),
      fcParams({ numRuns: 1500 }),
    );
  });
});
