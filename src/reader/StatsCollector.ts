import type { SpanSource, TraceSummary } from './types.js';
import type { TraceRecord } from '../format/types.js';
import type { RecordSink } from './TraceDecoder.js';
import LogHistogram from './LogHistogram.js';
import { parseLineFast } from '../format/fastParse.js';
import { SpanStatusCode } from '../constants.js';
import { toText } from '../utils/attributes.js';

/**
 * Raw `start` lines held unparsed: most spans end within a few records, so
 * their start is never parsed. Bounded, since a held line keeps its read
 * chunk alive; the oldest is parsed when full.
 */
const pendingLimit = 128;
/** Evicted trace ids kept at the queue's front before it is compacted. */
const queueCompactAt = 1024;
/** Slots of the filter of held and open span ids (a power of two). */
const idFilterSize = 4096;

/** The id filter slot of a span id, from its last four characters. */
function idSlot(id: string): number {
  const n = id.length;
  const h =
    ((id.charCodeAt(n - 1) * 31 + id.charCodeAt(n - 2)) * 31 +
      id.charCodeAt(n - 3)) *
      31 +
    id.charCodeAt(n - 4);
  // NaN (ids shorter than four characters) lands in slot 0.
  return Math.imul(h | 0, 0x9e3779b1) >>> 20;
}

/** {@link idSlot} of the id whose bytes end before `end` (Latin-1 text). */
function idSlotBytes(b: Uint8Array, end: number): number {
  const h =
    ((b[end - 1] * 31 + b[end - 2]) * 31 + b[end - 3]) * 31 + b[end - 4];
  return Math.imul(h | 0, 0x9e3779b1) >>> 20;
}

/** Running figures of one span name. */
type NameEntry = {
  name: string;
  count: number;
  errors: number;
  h: LogHistogram;
};

/** Per-span-name figures of {@link StatsCollector}. */
type NameStats = {
  name: string;
  count: number;
  errors: number;
  /** Nanoseconds; quantiles within the histogram's relative error. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  total: number;
};

/** A span that was still open at the end of the input. */
type OpenSpanInfo = {
  traceId: string;
  spanId: string;
  name: string;
  startTime: number;
  file: string;
};

type StatsResult = {
  spans: number;
  finished: number;
  errors: number;
  traces: number;
  byName: Array<NameStats>;
  open: Array<OpenSpanInfo>;
  dropped: {
    /** Sum of `dropped` records' counts (records the tracer lost). */
    records: number;
    attributes: number;
    events: number;
    links: number;
  };
  /** Most recently started traces, newest first. */
  recent: Array<TraceSummary>;
  /** Relative error bound of p50/p95/p99 beyond the exact-sample range. */
  relativeError: number;
};

/** A span's claim to name its trace: 0 no parent, 1 remote, 2 other. */
function parentRank(parentId: string | undefined): number {
  return parentId == null ? 0 : parentId.length === 16 ? 1 : 2;
}

type TraceAgg = {
  start: number;
  /** Nanoseconds after `start` (relative: epoch ns exceed exact doubles). */
  end: number;
  spans: number;
  open: number;
  errors: number;
  rootName: string;
  /** 0: no parent, 1: remote parent, 2: other; lower wins the root name. */
  rootRank: number;
  rootStart: number;
};

type StatsCollectorOptions = {
  /** Traces remembered for the recent-trace list (oldest evicted). */
  traceCapacity?: number;
  recentCount?: number;
};

/**
 * Streaming aggregation for `stats`: memory is bounded by the number of
 * span names (one {@link LogHistogram} each), spans open at once, and a
 * fixed window of recent traces; never by the number of spans.
 */
class StatsCollector implements RecordSink {
  protected names: Map<string, NameEntry> = new Map();
  protected openSpans: Map<string, OpenSpanInfo> = new Map();
  protected pending: Map<string, { line: string; source: SpanSource }> =
    new Map();
  /** Held `start` lines that turned out invalid when parsed. */
  public malformedStarts: number = 0;
  protected traces: Map<string, TraceAgg> = new Map();
  protected traceCapacity: number;
  /** The ids of `traces` in the order they were added, from `queueHead`. */
  protected traceQueue: Array<string> = [];
  protected queueHead: number = 0;
  protected recentCount: number;
  protected finished: number = 0;
  protected errors: number = 0;
  protected traceCount: number = 0;
  protected dropped = { records: 0, attributes: 0, events: 0, links: 0 };
  protected lastTraceId: string = '';
  protected lastTrace?: TraceAgg;
  /** The record of the trace evicted last, for the next new trace. */
  protected spareTrace?: TraceAgg;
  /**
   * Counts of the held and open span ids by {@link idSlot}: a finished span
   * whose slot is empty was neither, so the byte path need not build its id.
   */
  protected idFilter: Uint32Array = new Uint32Array(idFilterSize);

  /**
   * Throws a `TypeError` when `options` cannot be read or a count is not a
   * number.
   */
  constructor(options: StatsCollectorOptions = {}) {
    let traceCapacity: unknown;
    let recentCount: unknown;
    try {
      ({ traceCapacity, recentCount } = options ?? {});
    } catch {
      throw new TypeError('StatsCollector: options cannot be read');
    }
    this.traceCapacity = count('traceCapacity', traceCapacity, 10000);
    this.recentCount = count('recentCount', recentCount, 10);
  }

  /** {@link RecordSink} entry point. */
  public record(record: TraceRecord, source: SpanSource): void {
    switch (record.type) {
      case 'span': {
        const d = record.dropped;
        if (d != null) {
          this.dropped.attributes += d.attributes ?? 0;
          this.dropped.events += d.events ?? 0;
          this.dropped.links += d.links ?? 0;
        }
        const parentId = record.parentId;
        this.finishedSpan(
          this.nameEntry(record.name),
          record.traceId,
          record.spanId,
          record.startTime,
          record.duration,
          record.status.code === SpanStatusCode.ERROR,
          parentRank(parentId),
        );
        return;
      }
      case 'start': {
        if (
          this.openSpans.has(record.spanId) ||
          this.pending.has(record.spanId)
        ) {
          return;
        }
        this.idFilter[idSlot(record.spanId)]++;
        this.openSpans.set(record.spanId, {
          traceId: record.traceId,
          spanId: record.spanId,
          name: record.name,
          startTime: record.startTime,
          file: source.file,
        });
        const t = this.trace(record.traceId, record.startTime);
        t.spans++;
        const at = (record.startTime - t.start) * 1000;
        if (at > t.end) t.end = at;
        this.rootCandidate(
          t,
          record.name,
          parentRank(record.parentId),
          record.startTime,
        );
        return;
      }
      case 'dropped':
        this.dropped.records += record.count;
        return;
      case 'meta':
        return;
    }
  }

  /** {@link RecordSink} entry point for unparsed `start` lines. */
  public rawStart(spanId: string, line: string, source: SpanSource): void {
    if (
      this.pending.has(spanId) ||
      (this.openSpans.size > 0 && this.openSpans.has(spanId))
    ) {
      return;
    }
    this.idFilter[idSlot(spanId)]++;
    this.pending.set(spanId, { line, source });
    if (this.pending.size > pendingLimit) {
      const [id, held] = this.pending.entries().next().value!;
      this.pending.delete(id);
      this.idFilter[idSlot(id)]--;
      this.parseStart(held.line, held.source);
    }
  }

  /**
   * The running figures of span name `name`, made on first use. For the
   * byte path of {@link StatsByteDecoder}, which keeps them by the name's
   * bytes.
   *
   * @internal
   */
  public nameEntry(name: string): NameEntry {
    let s = this.names.get(name);
    if (s == null) {
      s = { name, count: 0, errors: 0, h: new LogHistogram() };
      this.names.set(name, s);
    }
    return s;
  }

  /**
   * Whether a span id in filter slot `slot` may be held or open; when not,
   * {@link StatsCollector.finishedSpan} needs no id.
   *
   * @internal
   */
  public mayHold(slot: number): boolean {
    return this.idFilter[slot] !== 0;
  }

  /**
   * Counts a finished span without dropped counts, as {@link record} does.
   * `spanId` may be undefined when {@link StatsCollector.mayHold} said its
   * slot is empty; `rank` is 0 with no parent, 1 for a remote (16-digit)
   * parent, 2 for any other.
   *
   * @internal
   */
  public finishedSpan(
    s: NameEntry,
    traceId: string,
    spanId: string | undefined,
    startTime: number,
    duration: number,
    error: boolean,
    rank: number,
  ): void {
    this.finished++;
    // A held start was never counted; one parsed from the held lines or
    // read as a record was (then it is in openSpans).
    let wasOpen = false;
    if (spanId !== undefined) {
      if (this.pending.delete(spanId)) {
        this.idFilter[idSlot(spanId)]--;
      } else if (this.openSpans.size > 0 && this.openSpans.delete(spanId)) {
        this.idFilter[idSlot(spanId)]--;
        wasOpen = true;
      }
    }
    s.count++;
    s.h.add(duration);
    if (error) {
      s.errors++;
      this.errors++;
    }
    const t = this.trace(traceId, startTime);
    if (!wasOpen) t.spans++;
    if (error) t.errors++;
    const end = (startTime - t.start) * 1000 + duration;
    if (end > t.end) t.end = end;
    this.rootCandidate(t, s.name, rank, startTime);
  }

  /** The figures so far. */
  public result(): StatsResult {
    const held = [...this.pending.values()];
    for (const id of this.pending.keys()) this.idFilter[idSlot(id)]--;
    this.pending.clear();
    for (const h of held) this.parseStart(h.line, h.source);
    const byName: Array<NameStats> = [];
    for (const [name, s] of this.names) {
      byName.push({
        name,
        count: s.count,
        errors: s.errors,
        p50: s.h.quantile(0.5),
        p95: s.h.quantile(0.95),
        p99: s.h.quantile(0.99),
        max: s.h.max,
        total: s.h.sum,
      });
    }
    byName.sort(
      (a, b) =>
        b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    const open = [...this.openSpans.values()].sort(
      (a, b) => a.startTime - b.startTime || (a.spanId < b.spanId ? -1 : 1),
    );
    for (const o of open) {
      const t = this.traces.get(o.traceId);
      if (t != null) t.open = 0;
    }
    for (const o of open) {
      const t = this.traces.get(o.traceId);
      if (t != null) t.open++;
    }
    const recent = [...this.traces.entries()]
      .sort((a, b) => b[1].start - a[1].start || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.recentCount)
      .map(([traceId, t]): TraceSummary => ({
        traceId,
        rootName: t.rootName,
        spanCount: t.spans,
        openCount: t.open,
        errorCount: t.errors,
        startTime: t.start,
        duration: t.end,
      }));
    return {
      spans: this.finished + open.length,
      finished: this.finished,
      errors: this.errors,
      traces: this.traceCount,
      byName,
      open,
      dropped: { ...this.dropped },
      recent,
      relativeError: 0.01,
    };
  }

  protected parseStart(line: string, source: SpanSource): void {
    const r = parseLineFast(line, { details: false });
    if (r.kind === 'record' && r.record.type === 'start') {
      this.record(r.record, source);
    } else {
      this.malformedStarts++;
    }
  }

  protected trace(traceId: string, start: number): TraceAgg {
    // Records of one trace come together: skip the lookup for a repeat.
    let t =
      traceId === this.lastTraceId && this.lastTrace != null
        ? this.lastTrace
        : this.traces.get(traceId);
    if (t == null) {
      this.traceCount++;
      // The record of the last trace evicted is reused: a full window
      // allocates nothing per new trace but its id, so the heap stays flat
      // on a file of any length.
      t = this.spareTrace;
      this.spareTrace = undefined;
      if (t === undefined) {
        t = {
          start,
          end: 0,
          spans: 0,
          open: 0,
          errors: 0,
          rootName: '',
          rootRank: 3,
          rootStart: Infinity,
        };
      } else {
        t.start = start;
        t.end = 0;
        t.spans = 0;
        t.open = 0;
        t.errors = 0;
        t.rootName = '';
        t.rootRank = 3;
        t.rootStart = Infinity;
      }
      this.traces.set(traceId, t);
      // Evict the trace seen first. Files are written in time order, so the
      // window keeps the most recent traces. The ids wait in a queue in the
      // order they came: a Map's first key is slow to find once many have
      // been deleted from its front.
      const queue = this.traceQueue;
      queue.push(traceId);
      if (this.traces.size > this.traceCapacity) {
        const evicted = queue[this.queueHead++];
        this.spareTrace = this.traces.get(evicted);
        this.traces.delete(evicted);
        if (
          this.queueHead >= queueCompactAt &&
          this.queueHead * 2 > queue.length
        ) {
          queue.splice(0, this.queueHead);
          this.queueHead = 0;
        }
      }
    } else if (start < t.start) {
      t.end += (t.start - start) * 1000;
      t.start = start;
    }
    this.lastTraceId = traceId;
    this.lastTrace = t;
    return t;
  }

  protected rootCandidate(
    t: TraceAgg,
    name: string,
    rank: number,
    start: number,
  ): void {
    if (rank < t.rootRank || (rank === t.rootRank && start < t.rootStart)) {
      t.rootRank = rank;
      t.rootStart = start;
      t.rootName = name;
    }
  }
}

/** A count option, or its default when absent. */
function count(name: string, value: unknown, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(
      `StatsCollector: ${name} must be a number, got ${toText(value)}`,
    );
  }
  return value;
}

export default StatsCollector;
export { idSlotBytes };
export type {
  NameEntry,
  NameStats,
  OpenSpanInfo,
  StatsResult,
  StatsCollectorOptions,
};
