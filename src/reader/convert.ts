/**
 * Conversions of a {@link TraceModel} to other tools' formats: OTLP/JSON,
 * the Chrome Trace Event Format (Perfetto, chrome://tracing) and
 * speedscope's file format.
 */
import type { MetaRecord } from '../format/types.js';
import type { SpanNode } from './types.js';
import type TraceModel from './TraceModel.js';
import { toText } from '../utils/attributes.js';
import type { OtlpSpanInput, OtlpTracesData } from '../format/otlp.js';
import { assignLanes, laneOrder } from './lanes.js';
import {
  toOtlpResource,
  toOtlpSpan,
  toOtlpTracesData,
} from '../format/otlp.js';
import { jsonChunks, lazyArray } from './jsonChunks.js';
import { byStart } from './TraceModel.js';

/** The spans of one process (one input file, or one `meta` in it). */
type ProcessGroup = {
  /** Stable 1-based number, used as pid when the meta has none. */
  index: number;
  pid: number;
  file: string;
  meta?: MetaRecord;
  label: string;
  spans: Array<SpanNode>;
};

/**
 * Groups the model's spans by process: by `meta` record when there is one,
 * else by file. Groups and spans are ordered by start.
 */
function processGroups(model: TraceModel): Array<ProcessGroup> {
  const groups = new Map<unknown, ProcessGroup>();
  const spans = [...model.spans.values()].sort(byStart);
  const usedPids = new Set<number>();
  for (const span of spans) {
    const key = span.source.meta ?? span.source.file;
    let g = groups.get(key);
    if (g == null) {
      const meta = span.source.meta;
      const index = groups.size + 1;
      let pid = meta?.pid ?? index;
      // Two files may carry one pid (a reused pid, a copied file).
      while (usedPids.has(pid)) pid += 100000;
      usedPids.add(pid);
      const service = meta?.service ? meta.service : span.source.file;
      g = {
        index,
        pid,
        file: span.source.file,
        label: meta?.pid != null ? `${service} (pid ${meta.pid})` : service,
        spans: [],
      };
      if (meta != null) g.meta = meta;
      groups.set(key, g);
    }
    g.spans.push(span);
  }
  return [...groups.values()];
}

/** Duration used for drawing: open spans run to the end of the input. */
function drawDuration(model: TraceModel, span: SpanNode): number {
  return model.durationOf(span);
}

/**
 * OTLP/JSON `TracesData` of the model, one `resourceSpans` per process.
 * Open spans are exported ending at the last time in the input, with the
 * attribute `spantrail.unfinished: true`.
 */
function modelToOtlp(model: TraceModel, scopeVersion?: string): OtlpTracesData {
  return toOtlpTracesData(
    processGroups(model).map((g) => ({
      resource: g.meta,
      spans: g.spans.map((s) => otlpInput(model, s)),
    })),
    typeof scopeVersion === 'string' ? { scopeVersion } : {},
  );
}

/** What OTLP gets of a span: open ones end at the last time seen. */
function otlpInput(model: TraceModel, s: SpanNode): OtlpSpanInput {
  if (!s.open) return { ...s, duration: s.duration! };
  const attributes = Object.assign(Object.create(null), s.attributes);
  attributes['spantrail.unfinished'] = true;
  return { ...s, duration: drawDuration(model, s), attributes };
}

function* mapped<T, U>(items: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of items) yield f(x);
}

/**
 * The text of {@link modelToOtlp} in pieces (the same bytes as
 * `JSON.stringify`), each span converted only when it is written.
 */
function modelToOtlpChunks(
  model: TraceModel,
  scopeVersion?: string,
): Generator<string> {
  const scope: { name: string; version?: string } = { name: 'spantrail' };
  if (typeof scopeVersion === 'string') scope.version = scopeVersion;
  const groups = processGroups(model).filter((g) => g.spans.length > 0);
  return jsonChunks(
    {
      resourceSpans: lazyArray(
        mapped(groups, (g) => ({
          resource: toOtlpResource(g.meta),
          scopeSpans: [
            {
              scope: { ...scope },
              spans: lazyArray(
                mapped(g.spans, (s) => toOtlpSpan(otlpInput(model, s))),
              ),
            },
          ],
        })),
      ),
    },
    6,
  );
}

/** The text of {@link modelToChrome} in pieces. */
function modelToChromeChunks(model: TraceModel): Generator<string> {
  return jsonChunks(
    {
      traceEvents: lazyArray(chromeEvents(model)),
      displayTimeUnit: 'ms',
    },
    2,
  );
}

/** The text of {@link modelToSpeedscope} in pieces. */
function modelToSpeedscopeChunks(
  model: TraceModel,
  name: string,
): Generator<string> {
  return jsonChunks(modelToSpeedscope(model, name), 4);
}

/** A Chrome Trace Event Format event (the subset written). */
type ChromeEvent = {
  name: string;
  ph: 'X' | 'i' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't';
  args?: Record<string, unknown>;
};

/**
 * Chrome Trace Event Format (JSON object form). Each span is a complete
 * (`X`) event; lanes (`tid`) are assigned per process so that spans on a
 * lane nest properly; span events are thread-scoped instant (`i`) events.
 * Times are epoch microseconds.
 */
function modelToChrome(model: TraceModel): {
  traceEvents: Array<ChromeEvent>;
  displayTimeUnit: 'ms';
} {
  return { traceEvents: [...chromeEvents(model)], displayTimeUnit: 'ms' };
}

/** The events of {@link modelToChrome}, one at a time. */
function* chromeEvents(model: TraceModel): Generator<ChromeEvent> {
  for (const g of processGroups(model)) {
    // Relative times: epoch microseconds plus fractions lose precision.
    const origin = g.spans.length > 0 ? g.spans[0].startTime : 0;
    const lanes = assignLanes(
      g.spans.map((s) => ({
        id: s.spanId,
        parentId: model.parentOf(s)?.spanId,
        start: s.startTime - origin,
        end: s.startTime - origin + drawDuration(model, s) / 1000,
      })),
    );
    yield {
      name: 'process_name',
      ph: 'M',
      ts: 0,
      pid: g.pid,
      tid: 0,
      args: { name: g.label },
    };
    let laneCount = 1;
    for (const lane of lanes.values()) {
      if (lane >= laneCount) laneCount = lane + 1;
    }
    for (let tid = 0; tid < laneCount; tid++) {
      yield {
        name: 'thread_name',
        ph: 'M',
        ts: 0,
        pid: g.pid,
        tid,
        args: { name: `lane ${tid}` },
      };
    }
    for (const s of g.spans) {
      const tid = lanes.get(s.spanId)!;
      const args: Record<string, unknown> = {
        traceId: s.traceId,
        spanId: s.spanId,
      };
      if (s.parentId != null) args.parentId = s.parentId;
      if (s.status.code !== 0) args.status = s.status;
      if (s.open) args.unfinished = true;
      if (Object.keys(s.attributes).length > 0) {
        args.attributes = { ...s.attributes };
      }
      yield {
        name: s.name,
        cat: 'span',
        ph: 'X',
        ts: s.startTime,
        dur: drawDuration(model, s) / 1000,
        pid: g.pid,
        tid,
        args,
      };
      for (const e of s.events) {
        const ev: ChromeEvent = {
          name: e.name,
          cat: 'event',
          ph: 'i',
          s: 't',
          ts: e.time,
          pid: g.pid,
          tid,
        };
        if (e.attributes != null) ev.args = { ...e.attributes };
        yield ev;
      }
    }
  }
}

type SpeedscopeEvent = { type: 'O' | 'C'; frame: number; at: number };

type SpeedscopeFile = {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: Array<{ name: string; file?: string }> };
  profiles: Array<{
    type: 'evented';
    name: string;
    unit: 'microseconds';
    startValue: number;
    endValue: number;
    events: Array<SpeedscopeEvent>;
  }>;
  name: string;
  activeProfileIndex: number;
  exporter: string;
};

/**
 * speedscope file: one evented profile per process lane (see
 * {@link modelToChrome} for lanes), frames shared by span name. Times are
 * microseconds from the earliest span, so profiles line up.
 */
function modelToSpeedscope(model: TraceModel, name: string): SpeedscopeFile {
  const frames: SpeedscopeFile['shared']['frames'] = [];
  const frameOf = new Map<string, number>();
  const frame = (n: string): number => {
    let i = frameOf.get(n);
    if (i == null) {
      i = frames.length;
      frames.push({ name: n });
      frameOf.set(n, i);
    }
    return i;
  };
  let origin = Infinity;
  let last = 0;
  for (const s of model.spans.values()) origin = Math.min(origin, s.startTime);
  if (origin === Infinity) origin = 0;
  for (const s of model.spans.values()) {
    last = Math.max(last, model.endAfter(s, origin) / 1000);
  }
  const profiles: SpeedscopeFile['profiles'] = [];
  for (const g of processGroups(model)) {
    const items = g.spans.map((s) => ({
      id: s.spanId,
      parentId: model.parentOf(s)?.spanId,
      start: s.startTime - origin,
      end: s.startTime - origin + drawDuration(model, s) / 1000,
      name: s.name,
    }));
    const lanes = assignLanes(items);
    const byLane = new Map<number, typeof items>();
    for (const item of items) {
      const lane = lanes.get(item.id)!;
      let list = byLane.get(lane);
      if (list == null) {
        list = [];
        byLane.set(lane, list);
      }
      list.push(item);
    }
    for (const [lane, list] of [...byLane].sort((a, b) => a[0] - b[0])) {
      list.sort(laneOrder);
      const events: Array<SpeedscopeEvent> = [];
      // Lanes nest properly, so a stack yields matching open/close pairs.
      const stack: Array<{ frame: number; end: number }> = [];
      for (const item of list) {
        while (stack.length > 0 && stack[stack.length - 1].end <= item.start) {
          const top = stack.pop()!;
          events.push({ type: 'C', frame: top.frame, at: top.end });
        }
        const f = frame(item.name);
        events.push({ type: 'O', frame: f, at: item.start });
        stack.push({ frame: f, end: item.end });
      }
      while (stack.length > 0) {
        const top = stack.pop()!;
        events.push({ type: 'C', frame: top.frame, at: top.end });
      }
      profiles.push({
        type: 'evented',
        name: `${g.label} lane ${lane}`,
        unit: 'microseconds',
        startValue: 0,
        endValue: last,
        events,
      });
    }
  }
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles,
    name: toText(name),
    activeProfileIndex: 0,
    exporter: 'spantrail',
  };
}

export {
  processGroups,
  chromeEvents,
  drawDuration,
  modelToOtlp,
  modelToChrome,
  modelToSpeedscope,
  modelToOtlpChunks,
  modelToChromeChunks,
  modelToSpeedscopeChunks,
};
export type { ProcessGroup, ChromeEvent, SpeedscopeFile, SpeedscopeEvent };
