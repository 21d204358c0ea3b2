import type { SpanIndex } from '../../reader/index.js';
import fs from 'node:fs';
import { parseLine } from '../../reader/index.js';

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
function staticData(
  index: SpanIndex,
  title: string,
  files: Array<string>,
  maxSpans: number = defaultMaxSpans,
): Record<string, unknown> {
  const all = index.traceList({ limit: Infinity });
  const traces: Array<unknown> = [];
  const tables: Record<string, unknown> = Object.create(null);
  const details: Record<string, unknown> = Object.create(null);
  let spans = 0;
  const fds = new Map<string, number>();
  const readLine = (file: string, offset: number, length: number): string => {
    let fd = fds.get(file);
    if (fd === undefined) {
      fd = fs.openSync(file, 'r');
      fds.set(file, fd);
    }
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, offset);
    return buf.toString('utf8');
  };
  try {
    for (const item of all.traces) {
      if (spans + item.spans > maxSpans) continue;
      const table = index.traceTable(item.id);
      if (table == null) continue;
      spans += item.spans;
      traces.push(item);
      tables[item.id] = table;
      for (const spanId of table.spanId) {
        const loc = index.locate(spanId, item.id);
        if (loc == null) continue;
        const proc = index.processOf(loc.index);
        let line = loc.line;
        if (line == null && loc.offset >= 0 && loc.file !== '-') {
          try {
            line = readLine(loc.file, loc.offset, loc.length);
          } catch {
            line = undefined;
          }
        }
        const r = line != null && line !== '' ? parseLine(line) : undefined;
        const base = {
          traceId: loc.traceId,
          spanId,
          process: proc?.label ?? '',
          file: loc.file,
        };
        // by trace and span id: span ids may repeat across traces
        details[detailKey(item.id, spanId)] =
          r != null &&
          r.kind === 'record' &&
          (r.record.type === 'span' || r.record.type === 'start') &&
          r.record.spanId === spanId &&
          r.record.traceId === item.id
            ? { ...base, record: r.record }
            : { ...base, unavailable: 'no details for this span' };
      }
    }
  } finally {
    for (const fd of fds.values()) fs.closeSync(fd);
  }
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
      services: index.services(),
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
