import type { SpanIndex } from '../../reader/index.js';
import fs from 'node:fs';
import { spanDetail } from './spanDetail.js';

/** The key of a span's details in an embedded report. */
function detailKey(traceId: string, spanId: string): string {
  return traceId + '/' + spanId;
}

/** Spans a report embeds by default; above it the report points to serve. */
const defaultMaxSpans = 100000;

/**
 * The data a static report embeds: the same shapes `serve`'s API returns
 * (trace list items, trace tables, span details, flame tree, by-name rows,
 * open spans), for the newest traces that fit in `maxSpans`. Aggregates
 * (flame graph, by-name table, open spans) cover the whole input.
 */
async function staticData(
  index: SpanIndex,
  title: string,
  files: Array<string>,
  maxSpans: number = defaultMaxSpans,
): Promise<Record<string, unknown>> {
  const all = index.traceList({ limit: Infinity });
  const traces: Array<Record<string, unknown>> = [];
  const processes = index.processes();
  /** Each embedded trace's processes, for the filters of the page. */
  const traceProcs: Array<Array<number>> = [];
  const tables: Record<string, unknown> = Object.create(null);
  const details: Record<string, unknown> = Object.create(null);
  let spans = 0;
  const fds = new Map<string, number>();
  const readLine = (
    fileIndex: number,
    offset: number,
    length: number,
  ): string | undefined => {
    const file = index.files[fileIndex];
    // stdin (its lines are kept) cannot be read back
    if (file == null || file === '-') return undefined;
    try {
      let fd = fds.get(file);
      if (fd === undefined) {
        fd = fs.openSync(file, 'r');
        fds.set(file, fd);
      }
      const buf = Buffer.alloc(length);
      const n = fs.readSync(fd, buf, 0, length, offset);
      return buf.toString('utf8', 0, n);
    } catch {
      return undefined;
    }
  };
  try {
    for (const item of all.traces) {
      if (spans + item.spans > maxSpans) continue;
      const table = index.traceTable(item.id);
      if (table == null) continue;
      spans += item.spans;
      traces.push({ ...item });
      traceProcs.push(index.traceProcesses(index.traceNumber(item.id)!));
      tables[item.id] = table;
      for (const spanId of table.spanId) {
        const loc = index.locate(spanId, item.id);
        if (loc == null) continue;
        // by trace and span id: span ids may repeat across traces
        details[detailKey(item.id, spanId)] = await spanDetail(
          index,
          loc,
          readLine,
        );
      }
    }
  } finally {
    for (const fd of fds.values()) fs.closeSync(fd);
  }
  // Services and processes of the embedded traces, counted over them; a
  // trace lists its processes by their number in `summary.processes`.
  const runTraces = new Array<number>(processes.length).fill(0);
  const serviceTraces = new Map<string, number>();
  for (const runs of traceProcs) {
    const seen = new Set<string>();
    for (const k of runs) {
      runTraces[k]++;
      seen.add(processes[k].service);
    }
    for (const svc of seen) {
      serviceTraces.set(svc, (serviceTraces.get(svc) ?? 0) + 1);
    }
  }
  const number = new Array<number>(processes.length).fill(-1);
  const kept: typeof processes = [];
  processes.forEach((p, k) => {
    if (runTraces[k] === 0) return;
    number[k] = kept.length;
    kept.push({ ...p, traces: runTraces[k] });
  });
  traces.forEach((item, k) => {
    item.procs = traceProcs[k].map((run) => number[run]);
  });
  const services = [...serviceTraces]
    .map(([service, n]) => ({ service, traces: n }))
    .sort((a, b) => (a.service < b.service ? -1 : 1));
  const totals = index.totals();
  const shown = traces.length;
  const note =
    shown < all.total
      ? `this report holds the newest ${shown} of ${all.total} traces (${spans} of ${totals.spans} spans, at most ${maxSpans}); for everything run: spantrail serve ${files.join(' ')}`
      : '';
  return {
    title,
    note,
    summary: {
      ...totals,
      services,
      processes: kept,
      loaded: true,
      last: index.last,
      now: index.last,
    },
    traces,
    tables,
    details,
    flame: index.flame(),
    names: index.byName(),
    open: index.openSpans(),
  };
}

export { staticData, defaultMaxSpans };
