import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { SpanData } from '../../src/types.js';
import {
  appendSpanLine,
  droppedLine,
  metaLine,
  spanLine,
  startLine,
  startLinePrefix,
} from '../../src/format/writer.js';
import { parseLine } from '../../src/format/parse.js';
import { fcParams } from '../utils/fc.js';
import { assertRecord } from '../utils/schema.js';

const hex = (n: number) =>
  fc
    .stringMatching(new RegExp(`^[0-9a-f]{${n}}$`))
    .filter((s) => /[1-9a-f]/.test(s));

const attributes = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((k) => k !== '' && k !== '__proto__'),
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string())),
  { maxKeys: 4 },
);

const spanData: fc.Arbitrary<SpanData> = fc.record({
  traceId: hex(32),
  spanId: hex(32),
  parentId: fc.option(hex(32), { nil: undefined }),
  name: fc.string(),
  kind: fc.constantFrom(0, 1, 2, 3, 4),
  startTime: fc.integer({ min: 0, max: 2 ** 52 }),
  duration: fc.integer({ min: 0, max: 2 ** 40 }),
  status: fc.oneof(
    fc.record({ code: fc.constantFrom(0, 1) }),
    fc.record({ code: fc.constant(2), message: fc.string() }),
  ),
  attributes: fc.option(attributes, { nil: undefined }),
  events: fc.option(
    fc.array(
      fc.record({
        name: fc.string(),
        time: fc.integer({ min: 0, max: 2 ** 52 }),
      }),
      { maxLength: 3 },
    ),
    { nil: undefined },
  ),
  links: fc.constant(undefined),
  droppedAttributes: fc.nat(3),
  droppedEvents: fc.nat(3),
  droppedLinks: fc.nat(3),
}) as fc.Arbitrary<SpanData>;

/** A span with no status message, attributes, events, links or drops. */
function plainSpan(
  fields: Pick<
    SpanData,
    | 'traceId'
    | 'spanId'
    | 'parentId'
    | 'name'
    | 'kind'
    | 'startTime'
    | 'duration'
  >,
): SpanData {
  return {
    ...fields,
    status: { code: 0 },
    attributes: undefined,
    events: undefined,
    links: undefined,
    droppedAttributes: 0,
    droppedEvents: 0,
    droppedLinks: 0,
  };
}

describe('the format v1 writer', () => {
  test('start and span lines parse back to the same span, and match the schema', () => {
    fc.assert(
      fc.property(spanData, (span) => {
        const start = startLine(span);
        const end = spanLine(span);
        expect(start.startsWith(startLinePrefix)).toBe(true);
        expect(start.endsWith('\n') && end.endsWith('\n')).toBe(true);
        for (const line of [start, end]) {
          assertRecord(JSON.parse(line));
        }
        const parsed = parseLine(end.trimEnd());
        expect(parsed.kind).toBe('record');
        const record = (parsed as any).record;
        expect(record.spanId).toBe(span.spanId);
        expect(record.parentId).toBe(span.parentId);
        expect(record.name).toBe(span.name);
        expect(record.startTime).toBe(span.startTime);
        expect(record.duration).toBe(span.duration);
        expect(record.status.code).toBe(span.status.code);
      }),
      fcParams(),
    );
  });

  test('lines of spans sharing traces, parents, names and milliseconds say exactly what each span holds', () => {
    // few ids, names and times, so that the pieces a line keeps from the
    // line before are reused, and reused wrongly if a key is missed
    const pick = <T>(values: Array<T>) => fc.constantFrom(...values);
    const ids = [
      '0195f3a2b0017000' + 'a'.repeat(16),
      'f'.repeat(32),
      'ab'.repeat(16),
    ];
    const ms = [1_764_000_000_000, 1_764_000_000_001, 2 ** 43];
    const sharing = fc.record({
      traceId: pick(ids),
      spanId: pick(ids),
      parentId: fc.option(pick(ids), { nil: undefined }),
      name: pick(['Svc.work', 'Svc.work2', '', 'é"\\']),
      kind: fc.constantFrom(0, 1, 4),
      startTime: fc.oneof(
        fc
          .tuple(pick(ms), fc.integer({ min: 0, max: 999 }))
          .map(([m, low]) => m * 1000 + low),
        fc.constantFrom(0, 999, 1000, 1.5, -1, 2 ** 53),
      ),
      duration: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(sharing, { maxLength: 12 }), (spans) => {
        for (const s of spans) {
          const span = plainSpan(s);
          const expected = {
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentId === undefined ? {} : { parentId: s.parentId }),
            name: s.name,
            kind: s.kind,
            startTime: s.startTime,
          };
          expect(JSON.parse(startLine(span))).toEqual({
            type: 'start',
            ...expected,
            attributes: {},
          });
          expect(JSON.parse(spanLine(span))).toEqual({
            type: 'span',
            ...expected,
            duration: s.duration,
            status: { code: 0 },
            attributes: {},
            events: [],
            links: [],
          });
        }
      }),
      fcParams(),
    );
  });

  test('lines are exactly the JSON of their records, key order included, whether their pieces are kept or made', () => {
    const base = plainSpan({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(32),
      parentId: undefined,
      name: 'n',
      kind: 0,
      startTime: 1_764_000_000_000_123,
      duration: 5,
    });
    // each change of key comes twice: made, then kept and flattened
    const changes: Array<Partial<SpanData>> = [
      {},
      {},
      // the parent alone changes: none to one, then one to another
      { parentId: 'c'.repeat(32) },
      { parentId: 'e'.repeat(32) },
      { parentId: 'e'.repeat(32) },
      { kind: 1 },
      { kind: 1 },
      { startTime: 1000.5 },
      { startTime: 1000.5 },
      { parentId: 'c'.repeat(32) },
      { parentId: 'c'.repeat(32), name: 'm' },
      { parentId: 'c'.repeat(32), name: 'm' },
      { name: 'x'.repeat(300) },
      { name: 'x'.repeat(300) },
      { startTime: 999 },
      { startTime: 1000 },
      { traceId: 'd'.repeat(32) },
      { traceId: 'd'.repeat(32) },
    ];
    for (const change of changes) {
      const span = { ...base, ...change };
      const fields = {
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentId === undefined ? {} : { parentId: span.parentId }),
        name: span.name,
        kind: span.kind,
        startTime: span.startTime,
      };
      expect(startLine(span)).toBe(
        JSON.stringify({ type: 'start', ...fields, attributes: {} }) + '\n',
      );
      const line =
        JSON.stringify({
          type: 'span',
          ...fields,
          duration: span.duration,
          status: { code: 0 },
          attributes: {},
          events: [],
          links: [],
        }) + '\n';
      expect(spanLine(span)).toBe(line);
      expect(appendSpanLine('{"type":"meta"}\n', span)).toBe(
        '{"type":"meta"}\n' + line,
      );
    }
  });

  test('meta and dropped lines match the schema', () => {
    const meta = JSON.parse(metaLine('svc'));
    assertRecord(meta);
    expect(meta).toMatchObject({ type: 'meta', version: 1, service: 'svc' });
    const dropped = JSON.parse(droppedLine(7));
    assertRecord(dropped);
    expect(dropped).toMatchObject({ type: 'dropped', count: 7 });
  });
});
