import type { SpanIndex, SpanLocation } from '../../reader/index.js';
import { parseLine } from '../../reader/index.js';

/**
 * Reads `length` bytes at `offset` of an index file (by its number in
 * `SpanIndex.files`) as text; undefined when it cannot.
 */
type ReadText = (
  fileIndex: number,
  offset: number,
  length: number,
) => Promise<string | undefined> | string | undefined;

/** One js-logger record of a span, as the file has it. */
type LegacyDetail = {
  type: 'start' | 'stop';
  /** Epoch microseconds, from the record's id. */
  time: number;
  /** Its top-level fields with plain values (ids, name). */
  fields: Record<string, string | number | boolean>;
};

/** Longest js-logger line read back (they are a few hundred bytes). */
const maxLegacyLine = 64 << 10;
/** Most fields of a js-logger record shown. */
const maxLegacyFields = 32;

function legacyFields(line: string): LegacyDetail['fields'] {
  const out: LegacyDetail['fields'] = Object.create(null);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return out;
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    return out;
  }
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n >= maxLegacyFields) break;
    if (
      typeof v === 'string' ||
      typeof v === 'number' ||
      typeof v === 'boolean'
    ) {
      out[k] = v;
      n++;
    }
  }
  return out;
}

/**
 * A span's detail, read back from its record line: its full v1 record, or
 * for a js-logger file what its `start` and `stop` records hold (the span
 * as the index has it, plus the records themselves: no attributes or
 * events exist in that format). `unavailable` says why there is none.
 */
async function spanDetail(
  index: SpanIndex,
  loc: SpanLocation,
  read: ReadText,
): Promise<Record<string, unknown>> {
  const indexed = index.recordOf(loc.index);
  const spanId = indexed?.spanId ?? '';
  const base = {
    traceId: loc.traceId,
    spanId,
    process: index.processOf(loc.index)?.label ?? '',
    file: loc.file,
  };
  let line = loc.line;
  if ((line == null || line === '') && loc.offset >= 0) {
    line = await read(loc.fileIndex, loc.offset, loc.length);
  }
  const r = line != null && line !== '' ? parseLine(line) : undefined;
  if (
    r?.kind === 'record' &&
    (r.record.type === 'span' || r.record.type === 'start') &&
    r.record.spanId === spanId &&
    r.record.traceId === loc.traceId
  ) {
    return { ...base, record: r.record };
  }
  if (r?.kind === 'legacy' && r.record.key === spanId && indexed != null) {
    const legacy: Array<LegacyDetail> = [];
    let parentKey: string | undefined;
    const earlier =
      r.record.type === 'stop' ? index.earlierLine(loc.index) : undefined;
    if (earlier != null) {
      const text = await read(
        loc.fileIndex,
        earlier.offset,
        Math.min(maxLegacyLine, earlier.limit - earlier.offset),
      );
      const first = text?.split('\n', 1)[0];
      const s = first != null ? parseLine(first) : undefined;
      if (
        s?.kind === 'legacy' &&
        s.record.type === 'start' &&
        s.record.key === spanId
      ) {
        parentKey = s.record.parentKey;
        legacy.push({
          type: 'start',
          time: s.record.time,
          fields: legacyFields(first!),
        });
      }
    }
    legacy.push({
      type: r.record.type,
      time: r.record.time,
      fields: legacyFields(line!),
    });
    // A parent outside the input is still named by the `start` record.
    if (indexed.parentId == null && parentKey != null) {
      indexed.parentId = parentKey;
    }
    return { ...base, record: indexed, legacy };
  }
  return { ...base, unavailable: 'the record is no longer in the file' };
}

export { spanDetail };
export type { ReadText, LegacyDetail };
