import type { RecordSink } from '../../../src/reader/index.js';
import { describe, expect, test } from '@jest/globals';
import idMod from '@matrixai/id';
import {
  SpanIndex,
  TraceByteDecoder,
  createIssues,
} from '../../../src/reader/index.js';
import { spanDetail } from '../../../src/cli/viewer/spanDetail.js';

const { IdSortable, utils } = idMod;

/** js-logger's own tracer: base64 multibase ids, `spanId`s, `end`. */
function jsLoggerFile(): { text: string; ids: Record<string, string> } {
  let now = Date.UTC(2025, 10, 21, 13);
  const gen = new IdSortable({ timeSource: () => () => now });
  const next = (ms: number): string => {
    now = Date.UTC(2025, 10, 21, 13) + ms;
    return utils.toMultibase(gen.get(), 'base64');
  };
  const root = next(0);
  const child = next(1);
  const lines = [
    { type: 'start', id: next(0), spanId: root, name: 'handle' },
    {
      type: 'start',
      id: next(1),
      spanId: child,
      parentSpanId: root,
      name: 'db "q" <x>',
    },
    { type: 'end', id: next(4), spanId: child, name: 'db "q" <x>' },
    { type: 'end', id: next(9), spanId: root, name: 'handle' },
  ];
  return {
    text: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    ids: { root, child },
  };
}

function indexOf(text: string): SpanIndex {
  const index = new SpanIndex();
  const ref: { d?: TraceByteDecoder } = {};
  const sink: RecordSink = {
    record: (r, source) => {
      index.at('f', ref.d!.lineOffset, ref.d!.lineLength);
      index.record(r, source);
    },
  };
  ref.d = new TraceByteDecoder('f', sink, createIssues(), { details: false });
  ref.d.write(Buffer.from(text));
  ref.d.end();
  return index;
}

describe('spanDetail of js-logger records', () => {
  test("js-logger's own layout (spanId, parentSpanId, end): both records, the span's times", async () => {
    const { text, ids } = jsLoggerFile();
    const bytes = Buffer.from(text);
    const index = indexOf(text);
    expect(index.size).toBe(2);
    const reads: Array<[number, number]> = [];
    const read = (f: number, offset: number, length: number): string => {
      expect(index.files[f]).toBe('f');
      reads.push([offset, length]);
      return bytes.subarray(offset, offset + length).toString();
    };
    const lines = text.split('\n');
    for (const [k, name, ms, startLine, endLine] of [
      ['child', 'db "q" <x>', 3, 1, 2],
      ['root', 'handle', 9, 0, 3],
    ] as const) {
      const loc = [...Array(index.size).keys()]
        .map((i) => index.recordOf(i)!)
        .find((r) => r.name === name)!;
      expect(loc.spanId).toMatch(/^[0-9a-f]{32}$/);
      const where = index.locate(loc.spanId, loc.traceId)!;
      const d: any = await spanDetail(index, where, read);
      expect(d.unavailable).toBeUndefined();
      expect(d.record.type).toBe('span');
      expect(d.record.name).toBe(name);
      expect(d.record.duration).toBe(ms * 1e6);
      expect(d.legacy.map((l: any) => l.type)).toEqual(['start', 'stop']);
      expect(d.legacy[0].fields).toEqual(JSON.parse(lines[startLine]));
      expect(d.legacy[1].fields).toEqual(JSON.parse(lines[endLine]));
      expect(d.legacy[0].fields.spanId).toBe(ids[k]);
      if (k === 'child') {
        expect(d.record.parentId).toBe(index.recordOf(0)!.spanId);
      }
    }
    expect(reads.length).toBe(4);
  });

  test('a line that is not the span any more: unavailable, no throw', async () => {
    const { text } = jsLoggerFile();
    const index = indexOf(text);
    const r = index.recordOf(0)!;
    const loc = index.locate(r.spanId, r.traceId)!;
    const d: any = await spanDetail(index, loc, () => '{"type":"other"}');
    expect(d.unavailable).toBeDefined();
    const none: any = await spanDetail(index, loc, () => undefined);
    expect(none.unavailable).toBeDefined();
  });
});
