import type { LegacyRecord, SpanRecord, StartRecord } from '../format/types.js';

type OpenLegacySpan = {
  traceId: string;
  parentId?: string;
  name: string;
  startTime: number;
};

/**
 * Turns js-logger `start`/`stop` records into v1 `start`/`span` records.
 *
 * js-logger wrote no trace ids: a span's trace is its root's id, found by
 * following `parentId` (parents start before their children, so one pass
 * suffices). Span ids are the 32-hex form of the legacy ids.
 */
class LegacyAssembler {
  /** Every span seen, so late children still find their trace. */
  protected traceOf: Map<string, string> = new Map();
  protected open: Map<string, OpenLegacySpan> = new Map();

  /**
   * Converts one legacy record; returns `undefined` for a `stop` whose
   * `start` was never seen (it cannot be placed).
   */
  public convert(record: LegacyRecord): StartRecord | SpanRecord | undefined {
    if (record.type === 'start') {
      const traceId =
        (record.parentKey != null
          ? this.traceOf.get(record.parentKey)
          : undefined) ??
        record.parentKey ??
        record.key;
      this.traceOf.set(record.key, traceId);
      const span: OpenLegacySpan = {
        traceId,
        name: record.name,
        startTime: record.time,
      };
      if (record.parentKey != null) span.parentId = record.parentKey;
      this.open.set(record.key, span);
      const start: StartRecord = {
        type: 'start',
        traceId,
        spanId: record.key,
        name: record.name,
        kind: 0,
        startTime: record.time,
        attributes: Object.create(null),
      };
      if (span.parentId != null) start.parentId = span.parentId;
      return start;
    }
    const span = this.open.get(record.key);
    if (span == null) return undefined;
    this.open.delete(record.key);
    const out: SpanRecord = {
      type: 'span',
      traceId: span.traceId,
      spanId: record.key,
      name: span.name,
      kind: 0,
      startTime: span.startTime,
      // Ids carry time to the millisecond: durations are whole milliseconds.
      duration: Math.max(0, record.time - span.startTime) * 1000,
      status: { code: 0 },
      attributes: Object.create(null),
      events: [],
      links: [],
    };
    if (span.parentId != null) out.parentId = span.parentId;
    return out;
  }
}

export default LegacyAssembler;
