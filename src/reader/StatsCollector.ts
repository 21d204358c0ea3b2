import type { SpanSource, TraceSummary } from './types.js';
import type { TraceRecord } from '../format/types.js';
import type { RecordSink } from './TraceDecoder.js';
import LogHistogram from './LogHistogram.js';
import { parseLineFast } from '../format/fastParse.js';
import { SpanStatusCode } from '../constants.js';

/**
 * Raw `start` lines held unparsed: most spans end within a few records, so
 * their start is never parsed. Bounded, since a held line keeps its read
 * chunk alive; the oldest is parsed when full.
 */
const pendingLimit = 128;

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
  protected names: Map<
    string,
    { count: number; errors: number; h: LogHistogram }
  > = new Map();
  protected openSpans: Map<string, OpenSpanInfo> = new Map();
  protected pending: Map<string, { line: string; source: SpanSource }> =
    new Map();
  /** Held `start` lines that turned out invalid when parsed. */
  public malformedStarts: number = 0;
  protected traces: Map<string, TraceAgg> = new Map();
  protected traceCapacity: number;
  protected recentCount: number;
  protected finished: number = 0;
  protected errors: number = 0;
  protected traceCount: number = 0;
  protected dropped = { records: 0, attributes: 0, events: 0, links: 0 };
  protected lastTraceId: string = '';
  protected lastTrace?: TraceAgg;

  constructor(options: StatsCollectorOptions = {}) {
    this.traceCapacity = options.traceCapacity ?? 10000;
    this.recentCount = options.recentCount ?? 10;
  }

  /** {@link RecordSink} entry point. */
  public record(record: TraceRecord, source: SpanSource): void {
    switch (record.type) {
      case 'span': {
        this.finished++;
        // A held start was never counted; one parsed from the held lines or
        // read as a record was (then it is in openSpans).
        const wasHeld = this.pending.delete(record.spanId);
        // Whether its start was already counted in its trace.
        const wasOpen =
          !wasHeld &&
          this.openSpans.size > 0 &&
          this.openSpans.delete(record.spanId);
        let s = this.names.get(record.name);
        if (s == null) {
          s = { count: 0, errors: 0, h: new LogHistogram() };
          this.names.set(record.name, s);
        }
        s.count++;
        s.h.add(record.duration);
        const error = record.status.code === SpanStatusCode.ERROR;
        if (error) {
          s.errors++;
          this.errors++;
        }
        const d = record.dropped;
        if (d != null) {
          this.dropped.attributes += d.attributes ?? 0;
          this.dropped.events += d.events ?? 0;
          this.dropped.links += d.links ?? 0;
        }
        const t = this.trace(record.traceId, record.startTime);
        if (!wasOpen) t.spans++;
        if (error) t.errors++;
        const end = (record.startTime - t.start) * 1000 + record.duration;
        if (end > t.end) t.end = end;
        this.rootCandidate(t, record.name, record.parentId, record.startTime);
        return;
      }
      case 'start': {
        if (
          this.openSpans.has(record.spanId) ||
          this.pending.has(record.spanId)
        ) {
          return;
        }
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
        this.rootCandidate(t, record.name, record.parentId, record.startTime);
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
    this.pending.set(spanId, { line, source });
    if (this.pending.size > pendingLimit) {
      const [id, held] = this.pending.entries().next().value!;
      this.pending.delete(id);
      this.parseStart(held.line, held.source);
    }
  }

  /** The figures so far. */
  public result(): StatsResult {
    const held = [...this.pending.values()];
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
      this.traces.set(traceId, t);
      // Map order is insertion order: evict the trace seen first. Files are
      // written in time order, so the window keeps the most recent traces.
      if (this.traces.size > this.traceCapacity) {
        this.traces.delete(this.traces.keys().next().value!);
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
    parentId: string | undefined,
    start: number,
  ): void {
    const rank = parentId == null ? 0 : parentId.length === 16 ? 1 : 2;
    if (rank < t.rootRank || (rank === t.rootRank && start < t.rootStart)) {
      t.rootRank = rank;
      t.rootStart = start;
      t.rootName = name;
    }
  }
}

export default StatsCollector;
export type { NameStats, OpenSpanInfo, StatsResult, StatsCollectorOptions };
