import type {
  MetaRecord,
  SpanRecord,
  StartRecord,
  TraceRecord,
} from '../format/types.js';
import type { SpanSource } from './types.js';
import type { RecordSink } from './TraceDecoder.js';
import { toText } from '../utils/attributes.js';

/** A process (file and `meta`) spans came from. */
type IndexProcess = {
  file: string;
  fileIndex: number;
  meta?: MetaRecord;
  /** Service name, or the file when there is no `meta`. */
  service: string;
  /** `service (pid N)`, or the service alone. */
  label: string;
  /** Its process: a number of {@link SpanIndex.processes}. */
  process: number;
};

/**
 * One process of {@link SpanIndex.processes}: one run of a program. Its
 * identity is what its `meta` records carry: service, host and pid (two
 * runs of a service have two pids), or without a pid the time its output
 * opened; spans with no `meta` are one process per file.
 */
type ProcessRow = {
  /** Stable key of the process (for a filter), opaque. */
  id: string;
  service: string;
  /** `service (pid N, host)` or what of it is known. */
  label: string;
  /** Traces with a span of it. */
  traces: number;
};

/** One service of {@link SpanIndex.serviceList}. */
type ServiceRow = {
  service: string;
  /** Traces with a span of it. */
  traces: number;
};

/** One trace of {@link SpanIndex.traceList}. */
type TraceListItem = {
  id: string;
  root: string;
  service: string;
  /** Epoch microseconds of the earliest span. */
  start: number;
  /** Nanoseconds from the earliest start to the latest end seen. */
  duration: number;
  spans: number;
  errors: number;
  open: number;
};

type TraceListQuery = {
  sort?: 'newest' | 'slowest';
  filter?: 'all' | 'errors' | 'open';
  /** Only traces with a span of this service. */
  service?: string;
  /** Only traces with a span of this process (a {@link ProcessRow} id). */
  process?: string;
  /** Only traces in this set (a search result), by trace number. */
  only?: Set<number>;
  /** Traces of the sorted list skipped before the first returned. */
  offset?: number;
  limit?: number;
};

type TraceList = {
  counts: { all: number; errors: number; open: number };
  /** Traces that match before `limit`. */
  total: number;
  traces: Array<TraceListItem>;
};

/** The spans of one trace, column by column (compact for big traces). */
type TraceTable = {
  id: string;
  /** Epoch microseconds of the earliest span; span starts are after it. */
  start: number;
  /** Latest time in the input, epoch microseconds (open spans run to it). */
  last: number;
  names: Array<string>;
  procs: Array<string>;
  spanId: Array<string>;
  /** Index in these columns of the parent, -1 for none. */
  parent: Array<number>;
  name: Array<number>;
  /** Microseconds after `start`. */
  at: Array<number>;
  /** Nanoseconds, -1 while open. */
  dur: Array<number>;
  status: Array<number>;
  kind: Array<number>;
  proc: Array<number>;
};

/** The call-path tree of every trace merged: what a flame graph draws. */
type FlameTree = {
  names: Array<string>;
  name: Array<number>;
  /** Parent node, -1 for the top level. */
  parent: Array<number>;
  /** Sum of span durations on the path, nanoseconds. */
  total: Array<number>;
  count: Array<number>;
  errors: Array<number>;
};

/** Per-name figures of {@link SpanIndex.byName}. */
type NameRow = {
  name: string;
  count: number;
  errors: number;
  open: number;
  /** Nanoseconds, exact (nearest rank). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  total: number;
  /** Span counts in equal log-width buckets from `lo` to `hi` ns. */
  hist: Array<number>;
  lo: number;
  hi: number;
};

/** An open span of {@link SpanIndex.openSpans}. */
type OpenRow = {
  spanId: string;
  traceId: string;
  name: string;
  service: string;
  /** Epoch microseconds. */
  start: number;
};

/** Where a span's latest record is: its file and line. */
type SpanLocation = {
  index: number;
  traceId: string;
  file: string;
  fileIndex: number;
  offset: number;
  length: number;
  /** The line itself when the index keeps lines. */
  line?: string;
};

type SpanIndexOptions = {
  /** Keep each span's record line (for a report of a small input). */
  keepLines?: boolean;
};

/** Buckets of the by-name latency histogram. */
const histBuckets = 16;
const initialCapacity = 1024;

/**
 * Copies a string kept for long: a slice of a line would keep the whole
 * line alive (V8 sliced strings).
 */
function own(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(
  a: T,
  n: number,
): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(
    Math.max(n, a.length * 2),
  );
  b.set(a);
  return b;
}

type TraceEntry = {
  id: string;
  spans: Array<number>;
  start: number;
  /** Latest end, epoch microseconds (fractional). */
  end: number;
  errors: number;
  open: number;
  root: number;
  rootRank: number;
  /** The process of its first span, -1 before any. */
  process: number;
  /** Its other processes, for a trace that crosses processes. */
  more: Array<number> | undefined;
};

/** The key of a span id (or suffix) within trace number `t`. */
function reusedKey(t: number, id: string): string {
  return t + ':' + id;
}

/** Record line offsets of one file, ascending, and each line's span. */
type LineOffsets = { off: Float64Array; span: Int32Array; n: number };

/**
 * A trace list query read once: fields of the wrong type are left out; a
 * query that cannot be read throws a `TypeError`.
 */
function readQuery(query: unknown): TraceListQuery {
  const q: TraceListQuery = {};
  try {
    const { sort, filter, service, process, only, limit, offset } = (query ??
      {}) as TraceListQuery;
    if (sort === 'newest' || sort === 'slowest') q.sort = sort;
    if (filter === 'all' || filter === 'errors' || filter === 'open') {
      q.filter = filter;
    }
    if (typeof service === 'string') q.service = service;
    if (typeof process === 'string') q.process = process;
    if (only instanceof Set) {
      q.only = new Set([...only].filter((n) => typeof n === 'number'));
    }
    if (typeof limit === 'number') q.limit = limit;
    if (typeof offset === 'number') q.offset = offset;
  } catch {
    throw new TypeError('traceList: the query cannot be read');
  }
  return q;
}

/** The last of `lines` starting at or before `offset`, or -1. */
function lineAtOrBefore(lines: LineOffsets, offset: number): number {
  let lo = 0;
  let hi = lines.n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines.off[mid] <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * A columnar index of spans for big inputs (`serve`, `html`): a few typed
 * arrays per span instead of objects, details left in the file (each
 * span's byte offset is kept) or, for small inputs, in the line itself.
 * Memory is linear in spans. Feed it from a {@link TraceByteDecoder} with
 * `details: false`, calling {@link SpanIndex.at} before each record.
 */
class SpanIndex implements RecordSink {
  /** Number of spans. */
  public size: number = 0;
  /** Bumped on every change, so callers can cache query results. */
  public generation: number = 0;
  /** Latest time seen, epoch microseconds. */
  public last: number = 0;
  public droppedRecords: number = 0;
  public readonly files: Array<string> = [];
  public readonly procs: Array<IndexProcess> = [];
  /** Traces touched since {@link SpanIndex.takeChanged}. */
  protected changed: Set<number> = new Set();
  protected ids: Array<string> = [];
  /**
   * Latest span of each span id. Spans are keyed by (trace, span id); an id
   * seen in more than one trace (rare) also has its spans in
   * {@link SpanIndex.reused}, so no other span needs a key string.
   */
  protected byId: Map<string, number> = new Map();
  /** Spans by (trace number, span id), for ids in more than one trace. */
  protected reused?: Map<string, number>;
  /**
   * First span of each 16-digit id suffix (parent ids of W3C remote
   * parents), built on the first such parent.
   */
  protected bySuffix?: Map<string, number>;
  /** Spans by (trace number, suffix), for suffixes in more than one trace. */
  protected suffixReused?: Map<string, number>;
  protected tr: Int32Array = new Int32Array(initialCapacity);
  protected par: Int32Array = new Int32Array(initialCapacity);
  protected st: Float64Array = new Float64Array(initialCapacity);
  protected du: Float64Array = new Float64Array(initialCapacity);
  protected nm: Int32Array = new Int32Array(initialCapacity);
  protected code: Uint8Array = new Uint8Array(initialCapacity);
  protected kd: Uint8Array = new Uint8Array(initialCapacity);
  protected pr: Int32Array = new Int32Array(initialCapacity);
  protected off: Float64Array = new Float64Array(initialCapacity);
  protected len: Int32Array = new Int32Array(initialCapacity);
  protected lines?: Array<string>;
  protected traces: Array<TraceEntry> = [];
  protected traceById: Map<string, number> = new Map();
  protected names: Array<string> = [];
  protected nameIds: Map<string, number> = new Map();
  /** Children whose parent is not (yet) in the index, by parent id. */
  protected waiting: Map<string, Array<number>> = new Map();
  protected procBySource: Map<SpanSource, number> = new Map();
  /** Processes (runs) and their keys, and each one's service. */
  protected runs: Array<ProcessRow> = [];
  protected runByKey: Map<string, number> = new Map();
  protected runService: Array<number> = [];
  protected serviceRows: Array<ServiceRow> = [];
  protected serviceByName: Map<string, number> = new Map();
  /** The last source and its process (records come in runs per source). */
  protected lastSource?: SpanSource;
  protected lastProc: number = -1;
  protected fileIds: Map<string, number> = new Map();
  /** Per file: offsets of every record line and the span it belongs to. */
  protected lineOff: Array<LineOffsets> = [];
  protected cursor = { file: '', offset: -1, length: 0, line: '' };

  /** Throws a `TypeError` when `options` cannot be read. */
  constructor(options: SpanIndexOptions = {}) {
    let keepLines: unknown;
    try {
      keepLines = options?.keepLines;
    } catch {
      throw new TypeError('SpanIndex: options cannot be read');
    }
    if (keepLines === true) this.lines = [];
  }

  /**
   * Says where the next record comes from: its file, byte offset and
   * length, and (for an index that keeps lines) the line.
   */
  public at(file: string, offset: number, length: number, line = ''): void {
    this.cursor.file = file;
    this.cursor.offset = offset;
    this.cursor.length = length;
    this.cursor.line = line;
  }

  /** {@link RecordSink} entry point. */
  public record(r: TraceRecord, source: SpanSource): void {
    if (r.type === 'dropped') {
      this.droppedRecords += r.count;
      return;
    }
    if (r.type === 'meta') {
      this.process(source);
      return;
    }
    const head = this.byId.get(r.spanId);
    let tn: number | undefined;
    let i: number | undefined;
    if (head !== undefined && this.traces[this.tr[head]].id === r.traceId) {
      // the common case (a `span` after its `start`): no trace id lookup
      i = head;
      tn = this.tr[head];
    } else {
      tn = this.traceById.get(r.traceId);
      if (tn !== undefined) i = this.inTrace(tn, r.spanId, head);
    }
    const fresh = i === undefined;
    if (i === undefined) {
      i = this.add(r.spanId, head ?? -1, r.traceId, tn, r.parentId, source);
    } else if (r.type === 'start') {
      return;
    } else {
      // The latest record may be in another file (e.g. after a rotation):
      // its offset is read back through that file's process.
      this.pr[i] = this.process(source);
    }
    const t = this.traces[this.tr[i]];
    this.touch(t, this.procs[this.pr[i]].process);
    if (r.type === 'span') {
      if (!fresh && this.du[i] < 0) t.open--;
      if (!fresh && this.code[i] === 2) t.errors--;
      this.du[i] = r.duration;
      this.code[i] = r.status.code;
      if (r.status.code === 2) t.errors++;
      const end = r.startTime + r.duration / 1000;
      if (end > t.end) t.end = end;
      if (end > this.last) this.last = end;
    } else {
      this.du[i] = -1;
      this.code[i] = 0;
      t.open++;
    }
    this.st[i] = r.startTime;
    if (r.startTime < t.start) t.start = r.startTime;
    if (r.startTime > t.end) t.end = r.startTime;
    if (r.startTime > this.last) this.last = r.startTime;
    this.kd[i] = r.kind;
    this.nm[i] = this.nameId(r.name);
    this.rootCandidate(t, i, r.parentId);
    const c = this.cursor;
    this.off[i] = c.offset;
    this.len[i] = c.length;
    if (this.lines != null) this.lines[i] = c.line;
    if (c.offset >= 0) this.lineOf(this.fileId(c.file), c.offset, i);
    this.changed.add(this.tr[i]);
    this.generation++;
  }

  /** Trace numbers changed since the last call (all when more than `max`). */
  public takeChanged(max: number): Array<string> | 'all' {
    const changed = this.changed;
    this.changed = new Set();
    if (typeof max === 'number' && changed.size > max) return 'all';
    return [...changed].map((t) => this.traces[t].id);
  }

  public get traceCount(): number {
    return this.traces.length;
  }

  /** Totals over everything. */
  public totals(): {
    spans: number;
    traces: number;
    errors: number;
    open: number;
  } {
    let errors = 0;
    let open = 0;
    for (const t of this.traces) {
      errors += t.errors;
      open += t.open;
    }
    return { spans: this.size, traces: this.traces.length, errors, open };
  }

  /** Service names in the input. */
  public services(): Array<string> {
    return [...new Set(this.procs.map((p) => p.service))].sort();
  }

  /** Services in the input, by name, with their trace counts. */
  public serviceList(): Array<ServiceRow> {
    return this.serviceRows
      .map((r) => ({ ...r }))
      .sort((a, b) => (a.service < b.service ? -1 : 1));
  }

  /**
   * Processes in the input in the order first seen (a trace's
   * {@link SpanIndex.traceProcesses} are numbers in it), with their trace
   * counts.
   */
  public processes(): Array<ProcessRow> {
    return this.runs.map((r) => ({ ...r }));
  }

  /** The processes (numbers of {@link SpanIndex.processes}) of trace `n`. */
  public traceProcesses(n: number): Array<number> {
    if (typeof n !== 'number') return [];
    const t = this.traces[n];
    if (t == null || t.process < 0) return [];
    return t.more == null ? [t.process] : [t.process, ...t.more];
  }

  public traceNumber(id: string): number | undefined {
    return this.traceById.get(id);
  }

  /**
   * The trace list: sorted, filtered, with counts per list. Fields of the
   * wrong type are left out; a query that cannot be read throws a
   * `TypeError`.
   */
  public traceList(query: TraceListQuery = {}): TraceList {
    const q = readQuery(query);
    const counts = { all: 0, errors: 0, open: 0 };
    const picked: Array<number> = [];
    const filter = q.filter ?? 'all';
    // A process matches by number, a service by a flag per process.
    let run = -1;
    let runOk: Uint8Array | undefined;
    if (q.process != null && q.process !== '') {
      run = this.runByKey.get(q.process) ?? -2;
    }
    if (q.service != null && q.service !== '') {
      runOk = new Uint8Array(this.runs.length);
      const svc = this.serviceByName.get(q.service);
      for (let k = 0; k < this.runs.length; k++) {
        if (this.runService[k] === svc) runOk[k] = 1;
      }
    }
    const consider = (n: number): void => {
      const t = this.traces[n];
      // a trace number that is no trace of this index is left out
      if (t === undefined) return;
      if (run !== -1 && t.process !== run && t.more?.includes(run) !== true) {
        return;
      }
      if (
        runOk != null &&
        runOk[t.process] !== 1 &&
        t.more?.some((k) => runOk[k] === 1) !== true
      ) {
        return;
      }
      counts.all++;
      if (t.errors > 0) counts.errors++;
      if (t.open > 0) counts.open++;
      if (
        filter === 'all' ||
        (filter === 'errors' && t.errors > 0) ||
        (filter === 'open' && t.open > 0)
      ) {
        picked.push(n);
      }
    };
    if (q.only != null) for (const n of q.only) consider(n);
    else for (let n = 0; n < this.traces.length; n++) consider(n);
    const tr = this.traces;
    if (q.sort === 'slowest') {
      picked.sort(
        (a, b) =>
          tr[b].end - tr[b].start - (tr[a].end - tr[a].start) ||
          tr[b].start - tr[a].start,
      );
    } else {
      picked.sort((a, b) => tr[b].start - tr[a].start || b - a);
    }
    const offset = q.offset != null && q.offset > 0 ? q.offset : 0;
    const limit = q.limit ?? 500;
    return {
      counts,
      total: picked.length,
      traces: picked.slice(offset, offset + limit).map((n) => this.listItem(n)),
    };
  }

  /** One trace's list entry; a `RangeError` for a number that is none. */
  public listItem(n: number): TraceListItem {
    const t = typeof n === 'number' ? this.traces[n] : undefined;
    if (t === undefined) {
      throw new RangeError(`listItem: no trace number ${toText(n)}`);
    }
    const root = t.root;
    return {
      id: t.id,
      root: root >= 0 ? this.names[this.nm[root]] : '',
      service: root >= 0 ? (this.procs[this.pr[root]]?.service ?? '') : '',
      start: t.start,
      duration: Math.max(0, Math.round((t.end - t.start) * 1000)),
      spans: t.spans.length,
      errors: t.errors,
      open: t.open,
    };
  }

  /**
   * Traces matching a search: a trace or span id prefix, a span name
   * (case-insensitive substring), or any of the spans in `alsoSpans`
   * (e.g. found by searching the file text for an attribute value).
   */
  public search(query: string, alsoSpans: Iterable<number> = []): Set<number> {
    const out = new Set<number>();
    // what is not text matches nothing
    if (typeof query !== 'string') return out;
    const q = query.trim().toLowerCase();
    if (q === '') {
      for (let n = 0; n < this.traces.length; n++) out.add(n);
      return out;
    }
    if (/^[0-9a-f]{1,32}$/.test(q)) {
      for (let n = 0; n < this.traces.length; n++) {
        if (this.traces[n].id.startsWith(q)) out.add(n);
      }
      for (let i = 0; i < this.size; i++) {
        if (this.ids[i].startsWith(q)) out.add(this.tr[i]);
      }
    }
    const nameHit = new Uint8Array(this.names.length);
    let anyName = false;
    for (let k = 0; k < this.names.length; k++) {
      if (this.names[k].toLowerCase().includes(q)) {
        nameHit[k] = 1;
        anyName = true;
      }
    }
    if (anyName) {
      for (let i = 0; i < this.size; i++) {
        if (nameHit[this.nm[i]] === 1) out.add(this.tr[i]);
      }
    }
    try {
      for (const i of alsoSpans) {
        if (typeof i === 'number' && i >= 0 && i < this.size) {
          out.add(this.tr[i]);
        }
      }
    } catch {
      // not iterable, or a Proxy that throws: the spans read before count
    }
    return out;
  }

  /** The spans of a trace by id, or undefined. */
  public traceTable(id: string): TraceTable | undefined {
    const n = this.traceById.get(id);
    if (n === undefined) return undefined;
    const t = this.traces[n];
    const spans = [...t.spans].sort(
      (a, b) => this.st[a] - this.st[b] || (this.ids[a] < this.ids[b] ? -1 : 1),
    );
    const local = new Map<number, number>();
    spans.forEach((s, k) => local.set(s, k));
    const names: Array<string> = [];
    const nameLocal = new Map<number, number>();
    const procs: Array<string> = [];
    const procLocal = new Map<number, number>();
    const table: TraceTable = {
      id,
      start: t.start,
      last: this.last,
      names,
      procs,
      spanId: [],
      parent: [],
      name: [],
      at: [],
      dur: [],
      status: [],
      kind: [],
      proc: [],
    };
    for (const s of spans) {
      let nl = nameLocal.get(this.nm[s]);
      if (nl === undefined) {
        nl = names.length;
        names.push(this.names[this.nm[s]]);
        nameLocal.set(this.nm[s], nl);
      }
      let pl = procLocal.get(this.pr[s]);
      if (pl === undefined) {
        pl = procs.length;
        procs.push(this.procs[this.pr[s]]?.label ?? '');
        procLocal.set(this.pr[s], pl);
      }
      table.spanId.push(this.ids[s]);
      table.parent.push(this.par[s] >= 0 ? (local.get(this.par[s]) ?? -1) : -1);
      table.name.push(nl);
      table.at.push(this.st[s] - t.start);
      table.dur.push(this.du[s]);
      table.status.push(this.code[s]);
      table.kind.push(this.kd[s]);
      table.proc.push(pl);
    }
    return table;
  }

  /**
   * Where a span's latest record is, by trace and span id; without a trace
   * id, the span seen last with that span id.
   */
  public locate(spanId: string, traceId?: string): SpanLocation | undefined {
    if (typeof spanId !== 'string') return undefined;
    let i: number | undefined;
    if (traceId == null) {
      i = this.byId.get(spanId);
    } else {
      const tn = this.traceById.get(traceId);
      if (tn !== undefined) i = this.find(tn, spanId);
    }
    if (i === undefined) return undefined;
    const p = this.procs[this.pr[i]];
    const loc: SpanLocation = {
      index: i,
      traceId: this.traces[this.tr[i]].id,
      file: p?.file ?? '',
      fileIndex: p?.fileIndex ?? -1,
      offset: this.off[i],
      length: this.len[i],
    };
    if (this.lines != null) loc.line = this.lines[i];
    return loc;
  }

  /** Process label of a span. */
  public processOf(i: number): IndexProcess | undefined {
    if (typeof i !== 'number') return undefined;
    return this.procs[this.pr[i]];
  }

  /**
   * A span as a record, from the index alone (no attributes, events or
   * links: those stay in the file).
   */
  public recordOf(i: number): StartRecord | SpanRecord | undefined {
    if (typeof i !== 'number' || !(i >= 0 && i < this.size)) return undefined;
    const head = {
      traceId: this.traces[this.tr[i]].id,
      spanId: this.ids[i],
      name: this.names[this.nm[i]],
      kind: this.kd[i] as StartRecord['kind'],
      startTime: this.st[i],
      attributes: Object.create(null),
    };
    const parentId = this.par[i] >= 0 ? this.ids[this.par[i]] : undefined;
    const out: StartRecord | SpanRecord =
      this.du[i] < 0
        ? { type: 'start', ...head }
        : {
            type: 'span',
            ...head,
            duration: this.du[i],
            status: { code: this.code[i] as SpanRecord['status']['code'] },
            events: [],
            links: [],
          };
    if (parentId != null) out.parentId = parentId;
    return out;
  }

  /**
   * The record line of span `i` before its latest one, in the same file
   * (a `start` before its end): its offset and the offset of the next
   * record line (the line ends before it), or undefined.
   */
  public earlierLine(i: number): { offset: number; limit: number } | undefined {
    if (typeof i !== 'number') return undefined;
    const p = this.procs[this.pr[i]];
    const lines = p != null ? this.lineOff[p.fileIndex] : undefined;
    if (lines == null || !(i >= 0 && i < this.size)) return undefined;
    const latest = this.off[i];
    const at = lineAtOrBefore(lines, latest);
    if (at < 0 || lines.off[at] !== latest) return undefined;
    for (let k = at - 1; k >= 0; k--) {
      if (lines.span[k] === i) {
        return { offset: lines.off[k], limit: lines.off[k + 1] };
      }
    }
    return undefined;
  }

  /**
   * The spans whose record lines hold the given byte offsets of a file
   * (offsets ascending), e.g. from a text search of the file.
   */
  public spansAtOffsets(
    fileIndex: number,
    offsets: Array<number>,
  ): Set<number> {
    const out = new Set<number>();
    const lines =
      typeof fileIndex === 'number' ? this.lineOff[fileIndex] : undefined;
    if (lines == null) return out;
    try {
      for (const o of offsets) {
        if (typeof o !== 'number') continue;
        const found = lineAtOrBefore(lines, o);
        if (found >= 0) out.add(lines.span[found]);
      }
    } catch {
      // not iterable, or a Proxy that throws: the offsets read before count
    }
    return out;
  }

  /**
   * Every trace merged by call path (root name, child name, ...): the
   * aggregate a left-heavy flame graph draws. Open spans count until the
   * latest time seen. Iterative, and a parent cycle in hostile input is cut.
   */
  public flame(): FlameTree {
    const n = this.size;
    const node = new Int32Array(n).fill(-1);
    const onPath = new Uint8Array(n);
    const tree: FlameTree = {
      names: this.names.slice(),
      name: [],
      parent: [],
      total: [],
      count: [],
      errors: [],
    };
    const kids = new Map<number, number>();
    const width = this.names.length + 1;
    const child = (parent: number, name: number): number => {
      const key = (parent + 1) * width + name;
      let k = kids.get(key);
      if (k === undefined) {
        k = tree.name.length;
        tree.name.push(name);
        tree.parent.push(parent);
        tree.total.push(0);
        tree.count.push(0);
        tree.errors.push(0);
        kids.set(key, k);
      }
      return k;
    };
    const path: Array<number> = [];
    for (let i = 0; i < n; i++) {
      if (node[i] >= 0) continue;
      let j = i;
      while (j >= 0 && node[j] < 0 && onPath[j] === 0) {
        onPath[j] = 1;
        path.push(j);
        j = this.par[j];
      }
      let base = j >= 0 && node[j] >= 0 ? node[j] : -1;
      while (path.length > 0) {
        const k = path.pop()!;
        onPath[k] = 0;
        base = child(base, this.nm[k]);
        node[k] = base;
        tree.total[base] += this.durationOf(k);
        tree.count[base]++;
        if (this.code[k] === 2) tree.errors[base]++;
      }
    }
    return tree;
  }

  /** Per span name: count, errors, exact percentiles and a histogram. */
  public byName(): Array<NameRow> {
    const n = this.size;
    const names = this.names.length;
    const counts = new Int32Array(names + 1);
    const open = new Int32Array(names);
    const errors = new Int32Array(names);
    for (let i = 0; i < n; i++) {
      if (this.du[i] >= 0) counts[this.nm[i] + 1]++;
      else open[this.nm[i]]++;
      if (this.code[i] === 2) errors[this.nm[i]]++;
    }
    for (let k = 1; k <= names; k++) counts[k] += counts[k - 1];
    const fill = counts.slice();
    const d = new Float64Array(counts[names]);
    for (let i = 0; i < n; i++) {
      if (this.du[i] >= 0) d[fill[this.nm[i]]++] = this.du[i];
    }
    const rows: Array<NameRow> = [];
    for (let k = 0; k < names; k++) {
      const part = d.subarray(counts[k], counts[k + 1]).sort();
      const c = part.length;
      if (c === 0 && open[k] === 0) continue;
      const rank = (q: number): number =>
        c === 0 ? 0 : part[Math.min(c - 1, Math.max(0, Math.ceil(q * c) - 1))];
      let total = 0;
      for (let x = 0; x < c; x++) total += part[x];
      const lo = c > 0 ? Math.max(1, part[0]) : 1;
      const hi = c > 0 ? Math.max(lo * 1.0001, part[c - 1]) : 1;
      const hist = new Array<number>(histBuckets).fill(0);
      const span = Math.log(hi / lo);
      for (let x = 0; x < c; x++) {
        const v = Math.max(lo, part[x]);
        const b = Math.min(
          histBuckets - 1,
          Math.floor((Math.log(v / lo) / span) * histBuckets),
        );
        hist[b]++;
      }
      rows.push({
        name: this.names[k],
        count: c,
        errors: errors[k],
        open: open[k],
        p50: rank(0.5),
        p95: rank(0.95),
        p99: rank(0.99),
        max: c > 0 ? part[c - 1] : 0,
        total,
        hist,
        lo,
        hi,
      });
    }
    rows.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
    return rows;
  }

  /** Spans still open, oldest first. */
  public openSpans(limit: number = 1000): {
    total: number;
    spans: Array<OpenRow>;
  } {
    const open: Array<number> = [];
    for (let i = 0; i < this.size; i++) if (this.du[i] < 0) open.push(i);
    open.sort((a, b) => this.st[a] - this.st[b]);
    return {
      total: open.length,
      spans: open
        .slice(0, typeof limit === 'number' ? limit : 1000)
        .map((i) => ({
          spanId: this.ids[i],
          traceId: this.traces[this.tr[i]].id,
          name: this.names[this.nm[i]],
          service: this.procs[this.pr[i]]?.service ?? '',
          start: this.st[i],
        })),
    };
  }

  /** Duration in ns; an open span runs until the latest time seen. */
  protected durationOf(i: number): number {
    return this.du[i] >= 0
      ? this.du[i]
      : Math.max(0, (this.last - this.st[i]) * 1000);
  }

  protected add(
    spanId: string,
    head: number,
    traceId: string,
    traceNumber: number | undefined,
    parentId: string | undefined,
    source: SpanSource,
  ): number {
    const i = this.size++;
    if (i >= this.tr.length) {
      const n = i + 1;
      this.tr = grow(this.tr, n);
      this.par = grow(this.par, n);
      this.st = grow(this.st, n);
      this.du = grow(this.du, n);
      this.nm = grow(this.nm, n);
      this.code = grow(this.code, n);
      this.kd = grow(this.kd, n);
      this.pr = grow(this.pr, n);
      this.off = grow(this.off, n);
      this.len = grow(this.len, n);
    }
    const id = own(spanId);
    this.ids.push(id);
    this.byId.set(id, i);
    let t = traceNumber;
    if (t === undefined) {
      t = this.traces.length;
      const tid = own(traceId);
      this.traces.push({
        id: tid,
        spans: [],
        start: Infinity,
        end: 0,
        errors: 0,
        open: 0,
        root: -1,
        rootRank: 4,
        process: -1,
        // always present: one shape for every trace
        more: undefined,
      });
      this.traceById.set(tid, t);
    }
    this.tr[i] = t;
    if (head >= 0) {
      // an id already seen in another trace: both are found by trace
      this.reused ??= new Map();
      const earlier = reusedKey(this.tr[head], id);
      if (!this.reused.has(earlier)) this.reused.set(earlier, head);
      this.reused.set(reusedKey(t, id), i);
    }
    if (this.bySuffix != null) this.noteSuffix(i);
    this.traces[t].spans.push(i);
    this.pr[i] = this.process(source);
    this.par[i] = -1;
    if (parentId != null) {
      const p = this.resolve(t, parentId);
      if (p !== undefined) {
        if (p !== i) this.par[i] = p;
      } else {
        const key = own(parentId);
        const list = this.waiting.get(key);
        if (list == null) this.waiting.set(key, [i]);
        else list.push(i);
      }
    }
    // Children that arrived first (a `span` record precedes its parent's);
    // those of other traces wait on
    if (this.waiting.size > 0) {
      for (const key of [id, id.slice(16)]) {
        const list = this.waiting.get(key);
        if (list == null) continue;
        let kept = 0;
        for (const c of list) {
          if (this.tr[c] !== t) list[kept++] = c;
          else if (c !== i) this.par[c] = i;
        }
        if (kept === 0) this.waiting.delete(key);
        else list.length = kept;
      }
    }
    return i;
  }

  /** The span of trace number `t` with id `spanId`, if indexed. */
  protected find(t: number, spanId: string): number | undefined {
    return this.inTrace(t, spanId, this.byId.get(spanId));
  }

  /** The span of trace `t` with `spanId`, whose latest span is `head`. */
  protected inTrace(
    t: number,
    spanId: string,
    head: number | undefined,
  ): number | undefined {
    if (head === undefined || this.tr[head] === t) return head;
    return this.reused?.get(reusedKey(t, spanId));
  }

  /** The parent `parentId` (full, or a 16-digit suffix) in trace `t`. */
  protected resolve(t: number, parentId: string): number | undefined {
    if (parentId.length === 32) return this.find(t, parentId);
    if (this.bySuffix == null) {
      this.bySuffix = new Map();
      for (let i = 0; i < this.size; i++) this.noteSuffix(i);
    }
    const p = this.bySuffix.get(parentId);
    if (p === undefined || this.tr[p] === t) return p;
    return this.suffixReused?.get(reusedKey(t, parentId));
  }

  /**
   * Indexes span `i` by its id's 16-digit suffix: the first span of each
   * suffix, and per trace where a suffix is in more than one trace.
   */
  protected noteSuffix(i: number): void {
    const suffix = this.ids[i].slice(16);
    const first = this.bySuffix!.get(suffix);
    if (first === undefined) {
      this.bySuffix!.set(suffix, i);
    } else if (this.tr[first] !== this.tr[i]) {
      this.suffixReused ??= new Map();
      const earlier = reusedKey(this.tr[first], suffix);
      if (!this.suffixReused.has(earlier)) {
        this.suffixReused.set(earlier, first);
      }
      const mine = reusedKey(this.tr[i], suffix);
      if (!this.suffixReused.has(mine)) this.suffixReused.set(mine, i);
    }
  }

  /**
   * Notes that trace `t` has a span of process `run`: its process list and
   * the trace counts of the process and its service.
   */
  protected touch(t: TraceEntry, run: number): void {
    if (t.process === run) return;
    if (t.process < 0) {
      t.process = run;
      this.runs[run].traces++;
      this.serviceRows[this.runService[run]].traces++;
      return;
    }
    if (t.more?.includes(run) === true) return;
    const svc = this.runService[run];
    const known =
      this.runService[t.process] === svc ||
      t.more?.some((k) => this.runService[k] === svc) === true;
    if (t.more == null) t.more = [run];
    else t.more.push(run);
    this.runs[run].traces++;
    if (!known) this.serviceRows[svc].traces++;
  }

  /** The process (run) of a `meta` record (or of a file without one). */
  protected run(file: string, meta: MetaRecord | undefined): number {
    const service =
      meta?.service != null && meta.service !== '' ? meta.service : file;
    const host = meta?.host ?? '';
    const key =
      meta == null
        ? JSON.stringify(['file', file])
        : meta.pid != null
          ? JSON.stringify(['pid', service, host, meta.pid])
          : JSON.stringify(['start', service, host, meta.startTime]);
    let k = this.runByKey.get(key);
    if (k !== undefined) return k;
    const parts: Array<string> = [];
    if (meta?.pid != null) parts.push(`pid ${meta.pid}`);
    if (host !== '') parts.push(host);
    if (meta != null && meta.pid == null) {
      const d = new Date(Math.floor(meta.startTime / 1000));
      if (!isNaN(d.getTime())) parts.push(`started ${d.toISOString()}`);
    }
    let svc = this.serviceByName.get(service);
    if (svc === undefined) {
      svc = this.serviceRows.length;
      this.serviceRows.push({ service, traces: 0 });
      this.serviceByName.set(service, svc);
    }
    k = this.runs.length;
    this.runs.push({
      id: key,
      service,
      label: parts.length > 0 ? `${service} (${parts.join(', ')})` : service,
      traces: 0,
    });
    this.runByKey.set(key, k);
    this.runService.push(svc);
    return k;
  }

  protected rootCandidate(
    t: TraceEntry,
    i: number,
    parentId: string | undefined,
  ): void {
    const rank = parentId == null ? 0 : parentId.length === 16 ? 1 : 2;
    if (
      t.root < 0 ||
      rank < t.rootRank ||
      (rank === t.rootRank && this.st[i] < this.st[t.root])
    ) {
      t.root = i;
      t.rootRank = rank;
    }
  }

  protected nameId(name: string): number {
    let k = this.nameIds.get(name);
    if (k === undefined) {
      k = this.names.length;
      const owned = own(name);
      this.names.push(owned);
      this.nameIds.set(owned, k);
    }
    return k;
  }

  protected fileId(file: string): number {
    let f = this.fileIds.get(file);
    if (f === undefined) {
      f = this.files.length;
      this.files.push(file);
      this.fileIds.set(file, f);
      this.lineOff.push({
        off: new Float64Array(initialCapacity),
        span: new Int32Array(initialCapacity),
        n: 0,
      });
    }
    return f;
  }

  protected lineOf(fileIndex: number, offset: number, span: number): void {
    const l = this.lineOff[fileIndex];
    // Offsets only grow within a file; a re-read after a reset starts over.
    if (l.n > 0 && offset <= l.off[l.n - 1]) return;
    l.off = grow(l.off, l.n + 1);
    l.span = grow(l.span, l.n + 1);
    l.off[l.n] = offset;
    l.span[l.n] = span;
    l.n++;
  }

  protected process(source: SpanSource): number {
    if (source === this.lastSource) return this.lastProc;
    let p = this.procBySource.get(source);
    if (p === undefined) {
      const meta = source.meta;
      const service =
        meta?.service != null && meta.service !== ''
          ? meta.service
          : source.file;
      p = this.procs.length;
      const proc: IndexProcess = {
        file: source.file,
        // The file of `at` (a follower names each file it opens apart).
        fileIndex: this.fileId(
          this.cursor.file !== '' ? this.cursor.file : source.file,
        ),
        service,
        label: meta?.pid != null ? `${service} (pid ${meta.pid})` : service,
        process: this.run(source.file, meta),
      };
      if (meta != null) proc.meta = meta;
      this.procs.push(proc);
      this.procBySource.set(source, p);
    }
    this.lastSource = source;
    this.lastProc = p;
    return p;
  }
}

export default SpanIndex;
export type {
  IndexProcess,
  ProcessRow,
  ServiceRow,
  TraceListItem,
  TraceListQuery,
  TraceList,
  TraceTable,
  FlameTree,
  NameRow,
  OpenRow,
  SpanLocation,
  SpanIndexOptions,
};
