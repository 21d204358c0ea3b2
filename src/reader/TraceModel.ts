import type { MetaRecord, TraceRecord } from '../format/types.js';
import type { SpanNode, SpanSource, TraceSummary } from './types.js';
import type { RecordSink } from './TraceDecoder.js';
import { w3cSpanId } from '../utils/ids.js';
import { SpanStatusCode } from '../constants.js';

/** Deepest level whose tree guide is drawn; deeper levels share it. */
const maxGuideDepth = 48;

/** One span of {@link TraceModel.flatten}. */
type TreeEntry = {
  node: SpanNode;
  /** 0 for a root. */
  depth: number;
  /** Whether the span is the last of its siblings. */
  last: boolean;
  /**
   * Tree guide of the ancestors (`│  ` or `   ` per level below the root),
   * drawn for at most {@link maxGuideDepth} levels: deeper entries share
   * their ancestor's string, so a deep chain costs memory linear in spans.
   */
  prefix: string;
};

/** Result of {@link TraceModel.findTrace}. */
type TraceLookup =
  | { found: true; traceId: string }
  | { found: false; reason: 'none' | 'ambiguous'; candidates: Array<string> };

type TraceModelOptions = {
  /** Keep only spans whose trace id passes; e.g. a `--trace` prefix. */
  traceFilter?: (traceId: string) => boolean;
};

/**
 * The in-memory model `view`, `convert` and `html` share: every span of the
 * inputs by id, grouped by trace, with parent links resolved across files.
 *
 * A `start` becomes an open span; its `span` record replaces it in place.
 * A 16-hex `parentId` (a remote W3C parent) resolves to the span whose
 * `spanId` ends with it, so a trace split over one file per process forms
 * one tree.
 */
class TraceModel implements RecordSink {
  /**
   * Every span, by trace id and span id (see {@link TraceModel.getSpan}): a
   * span id reused in another trace is another span.
   */
  public readonly spans: Map<string, SpanNode> = new Map();
  /** Sum of `count` of `dropped` records. */
  public droppedRecords: number = 0;
  /** Each `meta` record read, with its file. */
  public readonly metas: Array<{ file: string; meta: MetaRecord }> = [];
  /** Latest time seen anywhere (epoch microseconds), 0 if none. */
  public lastTime: number = 0;
  protected traces: Map<string, Array<SpanNode>> = new Map();
  protected bySuffix: Map<string, SpanNode> = new Map();
  protected children?: Map<string, Array<SpanNode>>;
  protected traceFilter?: (traceId: string) => boolean;

  /**
   * Throws a `TypeError` when `options` cannot be read or `traceFilter` is
   * not a function.
   */
  constructor(options: TraceModelOptions = {}) {
    let traceFilter: unknown;
    try {
      traceFilter = options?.traceFilter;
    } catch {
      throw new TypeError('TraceModel: options cannot be read');
    }
    if (traceFilter != null && typeof traceFilter !== 'function') {
      throw new TypeError('TraceModel: traceFilter must be a function');
    }
    this.traceFilter = traceFilter as TraceModelOptions['traceFilter'];
  }

  /** {@link RecordSink} entry point. */
  public record(record: TraceRecord, source: SpanSource): void {
    switch (record.type) {
      case 'meta':
        this.metas.push({ file: source.file, meta: record });
        return;
      case 'dropped':
        this.droppedRecords += record.count;
        this.seen(record.time);
        return;
      case 'start': {
        if (this.traceFilter != null && !this.traceFilter(record.traceId)) {
          return;
        }
        // A `span` already read wins over a late or duplicate `start`.
        if (this.spans.has(spanKey(record.traceId, record.spanId))) return;
        const node: SpanNode = {
          traceId: record.traceId,
          spanId: record.spanId,
          name: record.name,
          kind: record.kind,
          startTime: record.startTime,
          open: true,
          status: { code: 0 },
          attributes: record.attributes,
          events: [],
          links: [],
          source,
        };
        if (record.parentId != null) node.parentId = record.parentId;
        this.add(node);
        this.seen(record.startTime);
        return;
      }
      case 'span': {
        if (this.traceFilter != null && !this.traceFilter(record.traceId)) {
          return;
        }
        const existing = this.spans.get(spanKey(record.traceId, record.spanId));
        const node: SpanNode = existing ?? ({} as SpanNode);
        node.traceId = record.traceId;
        node.spanId = record.spanId;
        if (record.parentId != null) node.parentId = record.parentId;
        else delete node.parentId;
        node.name = record.name;
        node.kind = record.kind;
        node.startTime = record.startTime;
        node.duration = record.duration;
        node.open = false;
        node.status = record.status;
        node.attributes = record.attributes;
        node.events = record.events;
        node.links = record.links;
        if (record.dropped != null) node.dropped = record.dropped;
        node.source = source;
        if (existing == null) this.add(node);
        else this.children = undefined;
        this.seen(record.startTime + Math.floor(record.duration / 1000));
        for (const e of record.events) this.seen(e.time);
        return;
      }
    }
  }

  /** The span `spanId` of trace `traceId`, when it is in the model. */
  public getSpan(traceId: string, spanId: string): SpanNode | undefined {
    if (typeof traceId !== 'string' || typeof spanId !== 'string') {
      return undefined;
    }
    return this.spans.get(spanKey(traceId, spanId));
  }

  /** Trace ids, ordered by the start of their earliest span. */
  public traceIds(): Array<string> {
    const ids = [...this.traces.keys()];
    const start = new Map(ids.map((id) => [id, this.traceStart(id)]));
    return ids.sort((a, b) => start.get(a)! - start.get(b)! || cmp(a, b));
  }

  /** Spans of one trace, in file order. */
  public traceSpans(traceId: string): Array<SpanNode> {
    return this.traces.get(traceId) ?? [];
  }

  /**
   * Finds a trace by full id or unique prefix (case-insensitive). The
   * lookup is over traces in the model.
   */
  public findTrace(idOrPrefix: string): TraceLookup {
    if (typeof idOrPrefix !== 'string') {
      return { found: false, reason: 'none', candidates: [] };
    }
    const p = idOrPrefix.toLowerCase();
    if (this.traces.has(p)) return { found: true, traceId: p };
    const candidates = [...this.traces.keys()].filter((id) => id.startsWith(p));
    if (candidates.length === 1 && p.length > 0) {
      return { found: true, traceId: candidates[0] };
    }
    return {
      found: false,
      reason: candidates.length === 0 || p.length === 0 ? 'none' : 'ambiguous',
      candidates: candidates.sort(),
    };
  }

  /**
   * The parent of a span when it is in the model: by full id, or by suffix
   * for a 16-hex remote parent id.
   */
  public parentOf(node: SpanNode): SpanNode | undefined {
    const pid = node.parentId;
    if (pid == null) return undefined;
    const key = spanKey(node.traceId, pid);
    const parent =
      pid.length === 16 ? this.bySuffix.get(key) : this.spans.get(key);
    // A parent in another trace or the span itself is not a tree parent.
    if (parent == null || parent === node || parent.traceId !== node.traceId) {
      return undefined;
    }
    return parent;
  }

  /** Children of a span, ordered by start. */
  public childrenOf(node: SpanNode): Array<SpanNode> {
    return this.childIndex().get(spanKey(node.traceId, node.spanId)) ?? [];
  }

  /**
   * Roots of a trace: spans with no parent in the model (true roots, and
   * orphans whose parent was never written), ordered by start.
   */
  public roots(traceId: string): Array<SpanNode> {
    return this.traceSpans(traceId)
      .filter((n) => this.parentOf(n) == null)
      .sort(byStart);
  }

  /**
   * Roots to draw a trace from: {@link TraceModel.roots} plus, for spans no
   * root reaches (a parent cycle in hostile input), the earliest of each
   * unreached group, so every span is drawn exactly once.
   */
  public treeRoots(traceId: string): Array<SpanNode> {
    const roots = this.roots(traceId);
    const seen = new Set<SpanNode>();
    const visit = (start: SpanNode): void => {
      const stack = [start];
      while (stack.length > 0) {
        const n = stack.pop()!;
        if (seen.has(n)) continue;
        seen.add(n);
        for (const c of this.childrenOf(n)) stack.push(c);
      }
    };
    for (const r of roots) visit(r);
    const spans = this.traceSpans(traceId);
    if (seen.size < spans.length) {
      for (const n of [...spans].sort(byStart)) {
        if (!seen.has(n)) {
          roots.push(n);
          visit(n);
        }
      }
    }
    return roots;
  }

  /**
   * The trace in depth-first order (children by start), each span once,
   * with what a tree drawing needs: its depth and, for it and each
   * ancestor, whether it is the last child.
   */
  public flatten(traceId: string): Array<TreeEntry> {
    const out: Array<TreeEntry> = [];
    const seen = new Set<SpanNode>();
    const roots = this.treeRoots(traceId);
    // Explicit stack: hostile input may nest deeper than the call stack.
    const stack: Array<TreeEntry> = [];
    for (let i = roots.length - 1; i >= 0; i--) {
      stack.push({
        node: roots[i],
        depth: 0,
        last: i === roots.length - 1,
        prefix: '',
      });
    }
    while (stack.length > 0) {
      const entry = stack.pop()!;
      if (seen.has(entry.node)) continue;
      seen.add(entry.node);
      out.push(entry);
      const kids = this.childrenOf(entry.node).filter((c) => !seen.has(c));
      if (kids.length === 0) continue;
      const prefix =
        entry.depth === 0 || entry.depth > maxGuideDepth
          ? entry.prefix
          : entry.prefix + (entry.last ? '   ' : '│  ');
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push({
          node: kids[i],
          depth: entry.depth + 1,
          last: i === kids.length - 1,
          prefix,
        });
      }
    }
    return out;
  }

  /** Spans still open (a `start` with no `span`), ordered by start. */
  public openSpans(): Array<SpanNode> {
    return [...this.spans.values()].filter((n) => n.open).sort(byStart);
  }

  /** Spans with status ERROR, ordered by start. */
  public errors(): Array<SpanNode> {
    return [...this.spans.values()]
      .filter((n) => n.status.code === SpanStatusCode.ERROR)
      .sort(byStart);
  }

  /**
   * Duration of a span in nanoseconds; an open span runs until the latest
   * time seen in the input.
   */
  public durationOf(node: SpanNode): number {
    return node.duration ?? Math.max(0, this.lastTime - node.startTime) * 1000;
  }

  /**
   * End of a span in nanoseconds after `origin` (epoch microseconds).
   * Relative, because epoch nanoseconds exceed a double's exact integers.
   */
  public endAfter(node: SpanNode, origin: number): number {
    return (node.startTime - origin) * 1000 + this.durationOf(node);
  }

  /** Summary of one trace. */
  public summary(traceId: string): TraceSummary {
    const spans = this.traceSpans(traceId);
    let start = Infinity;
    let end = 0;
    let openCount = 0;
    let errorCount = 0;
    for (const n of spans) start = Math.min(start, n.startTime);
    for (const n of spans) {
      end = Math.max(end, this.endAfter(n, start));
      if (n.open) openCount++;
      if (n.status.code === SpanStatusCode.ERROR) errorCount++;
    }
    const roots = this.roots(traceId);
    return {
      traceId,
      rootName: roots.length > 0 ? roots[0].name : '',
      spanCount: spans.length,
      openCount,
      errorCount,
      startTime: spans.length > 0 ? start : 0,
      duration: end,
    };
  }

  /** Summaries of the `count` most recently started traces, newest first. */
  public recentTraces(count: number = 10): Array<TraceSummary> {
    return this.traceIds()
      .reverse()
      .slice(0, typeof count === 'number' ? count : 10)
      .map((id) => this.summary(id));
  }

  protected traceStart(traceId: string): number {
    let start = Infinity;
    for (const n of this.traceSpans(traceId)) {
      start = Math.min(start, n.startTime);
    }
    return start;
  }

  protected add(node: SpanNode): void {
    this.spans.set(spanKey(node.traceId, node.spanId), node);
    const suffix = spanKey(node.traceId, w3cSpanId(node.spanId));
    if (!this.bySuffix.has(suffix)) this.bySuffix.set(suffix, node);
    let list = this.traces.get(node.traceId);
    if (list == null) {
      list = [];
      this.traces.set(node.traceId, list);
    }
    list.push(node);
    this.children = undefined;
  }

  protected seen(time: number): void {
    if (time > this.lastTime) this.lastTime = time;
  }

  protected childIndex(): Map<string, Array<SpanNode>> {
    if (this.children != null) return this.children;
    const index = new Map<string, Array<SpanNode>>();
    for (const node of this.spans.values()) {
      const parent = this.parentOf(node);
      if (parent == null) continue;
      const key = spanKey(parent.traceId, parent.spanId);
      let list = index.get(key);
      if (list == null) {
        list = [];
        index.set(key, list);
      }
      list.push(node);
    }
    for (const list of index.values()) list.sort(byStart);
    this.children = index;
    return index;
  }
}

/** Span ids are unique within a trace only. */
function spanKey(traceId: string, spanId: string): string {
  return traceId + '/' + spanId;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders spans by start time, then id, for deterministic output. */
function byStart(a: SpanNode, b: SpanNode): number {
  return a.startTime - b.startTime || cmp(a.spanId, b.spanId);
}

export default TraceModel;
export { byStart, maxGuideDepth };
export type { TraceLookup, TraceModelOptions, TreeEntry };
