import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { SpanSource, TraceRecord } from '../../src/reader/index.js';
import {
  TraceByteDecoder,
  TraceDecoder,
  createIssues,
} from '../../src/reader/index.js';
import { garbage, record } from '../format/lines.js';
import { fcParams } from '../utils/fc.js';

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
