import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  LogHistogram,
  SpanIndex,
  StatsCollector,
  TraceByteDecoder,
  TraceDecoder,
  TraceFollower,
  TraceModel,
  TraceReader,
  assignLanes,
  createIssues,
  decodeLegacyId,
  formatDuration,
  formatTime,
  modelToChrome,
  modelToOtlp,
  modelToSpeedscope,
  otlpSpanId,
  parseLine,
  parseLineFast,
  parseValue,
  processGroups,
  shortId,
  toOtlpAttributes,
  toOtlpResource,
  toOtlpSpan,
  toOtlpTracesData,
} from '../../src/reader/index.js';
import type { RecordSink, SpanSource } from '../../src/reader/index.js';
import type { Hostile } from '../utils/hostile.js';
import {
  Call,
  hostile,
  hostileArray,
  hostileRecord,
  plain,
  returnsOrThrows,
} from '../utils/hostile.js';
import { fcParams } from '../utils/fc.js';

// The reader library given values a program might hand it: lines and
// chunks of any text or bytes, hostile objects where it takes objects or
// options. Every public function returns normally or throws its documented
// error, and what the decoders accept is valid.

const traceId = 'a'.repeat(31) + '1';
const spanId = 'b'.repeat(31) + '2';

/** A line of a trace file: valid, valid with hostile fields, or any text. */
const line: fc.Arbitrary<Hostile> = fc.oneof(
  hostile,
  fc
    .record(
      {
        type: fc.constantFrom('span', 'start', 'meta', 'dropped', 'stop'),
        traceId: fc.constantFrom(traceId, 'x', undefined),
        spanId: fc.constantFrom(spanId, traceId, 'id'),
        parentId: fc.constantFrom(undefined, 'c'.repeat(16), spanId, 7),
        name: fc.oneof(fc.string(), fc.constant(undefined)),
        kind: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.anything()),
        startTime: fc.oneof(fc.nat(), fc.double(), fc.anything()),
        duration: fc.oneof(fc.nat(), fc.double(), fc.anything()),
        status: fc.anything(),
        attributes: fc.anything(),
        events: fc.anything(),
        links: fc.anything(),
        dropped: fc.anything(),
        id: fc.anything(),
        count: fc.anything(),
      },
      { requiredKeys: ['type'] },
    )
    .map((r) => JSON.stringify(r))
    .map((text) => plain(text, text)),
  fc.string({ unit: 'binary' }).map((s) => plain(JSON.stringify(s), s)),
);

type State = {
  model: TraceModel;
  stats: StatsCollector;
  index: SpanIndex;
  histogram: LogHistogram;
};

/** A sink feeding the record sinks of the state. */
function sinkOf(s: State): RecordSink {
  return {
    record: (r, source: SpanSource) => {
      s.model.record(r, source);
      s.stats.record(r, source);
      s.index.record(r, source);
    },
  };
}

const call: fc.Arbitrary<Call<State>> = fc.oneof(
  fc.tuple(line, hostile).map(
    ([l, o]) =>
      new Call<State>(`parseLine(${l.label}, ${o.label})`, () => {
        parseLine(l.make() as any, o.make() as any);
        parseLineFast(l.make() as any, o.make() as any);
        parseValue(l.make(), o.make() as any);
      }),
  ),
  fc.array(line, { maxLength: 6 }).map(
    (lines) =>
      new Call<State>(
        `decode(${lines.map((l) => l.label).join(', ')})`,
        (s) => {
          const decoder = new TraceDecoder('a', sinkOf(s), createIssues());
          const bytes = new TraceByteDecoder('b', sinkOf(s), createIssues());
          for (const l of lines) {
            const v = l.make();
            // what is not text is the `write(...)` call's
            const text = typeof v === 'string' ? v : '';
            decoder.write(text + '\n');
            bytes.write(new TextEncoder().encode(text + '\n'));
          }
          decoder.end();
          bytes.end();
        },
      ),
  ),
  hostile.map(
    (h) =>
      new Call<State>(`write(${h.label}); new decoders(${h.label})`, (s) => {
        // neither text nor bytes: the documented TypeError
        const decoder = new TraceDecoder('a', sinkOf(s), createIssues());
        returnsOrThrows(() => decoder.write(h.make() as any), [TypeError]);
        decoder.end();
        const bytes = new TraceByteDecoder('b', sinkOf(s), createIssues());
        returnsOrThrows(() => bytes.write(h.make() as any), [TypeError]);
        bytes.end();
        for (const make of [
          () => new TraceDecoder('a', h.make() as any, createIssues()),
          () =>
            new TraceDecoder('a', sinkOf(s), createIssues(), h.make() as any),
          () =>
            new TraceByteDecoder(
              'b',
              sinkOf(s),
              createIssues(),
              h.make() as any,
            ),
          () => new TraceModel(h.make() as any),
          () => new TraceReader(h.make() as any),
          () =>
            new TraceFollower('-', sinkOf(s), createIssues(), h.make() as any),
          () => new StatsCollector(h.make() as any),
          () => new SpanIndex(h.make() as any),
        ]) {
          returnsOrThrows(make, [TypeError]);
        }
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([a, b]) =>
      new Call<State>(`text helpers(${a.label}, ${b.label})`, () => {
        decodeLegacyId(a.make() as any);
        formatDuration(a.make() as any);
        formatTime(a.make() as any);
        shortId(a.make() as any, b.make() as any);
        otlpSpanId(a.make() as any);
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([a, b]) =>
      new Call<State>(`model queries(${a.label}, ${b.label})`, (s) => {
        s.model.findTrace(a.make() as any);
        s.model.getSpan(a.make() as any, b.make() as any);
        s.model.traceSpans(a.make() as any);
        s.model.roots(a.make() as any);
        s.model.treeRoots(a.make() as any);
        s.model.flatten(a.make() as any);
        s.model.summary(a.make() as any);
        s.model.recentTraces(a.make() as any);
        s.model.openSpans();
        s.model.errors();
        processGroups(s.model);
        modelToOtlp(s.model, a.make() as any);
        modelToChrome(s.model);
        modelToSpeedscope(s.model, a.make() as any);
      }),
  ),
  fc
    .tuple(
      hostile,
      hostileRecord({
        sort: hostile,
        filter: hostile,
        service: hostile,
        process: hostile,
        only: hostile,
        offset: hostile,
        limit: hostile,
      }),
      hostile,
    )
    .map(
      ([a, q, b]) =>
        new Call<State>(
          `index queries(${a.label}, ${q.label}, ${b.label})`,
          (s) => {
            s.index.search(a.make() as any, b.make() as any);
            returnsOrThrows(
              () => s.index.traceList(q.make() as any),
              [TypeError],
            );
            s.index.traceTable(a.make() as any);
            s.index.locate(a.make() as any, b.make() as any);
            s.index.traceNumber(a.make() as any);
            s.index.traceProcesses(a.make() as any);
            s.index.serviceList();
            s.index.processes();
            returnsOrThrows(
              () => s.index.listItem(a.make() as any),
              [RangeError],
            );
            s.index.spansAtOffsets(a.make() as any, b.make() as any);
            s.index.processOf(a.make() as any);
            s.index.recordOf(a.make() as any);
            s.index.earlierLine(a.make() as any);
            s.index.takeChanged(a.make() as any);
            s.index.openSpans(a.make() as any);
            s.index.flame();
            s.index.byName();
            s.index.totals();
            s.stats.result();
          },
        ),
    ),
  fc.tuple(hostile, hostile).map(
    ([a, b]) =>
      new Call<State>(`histogram(${a.label}, ${b.label})`, (s) => {
        s.histogram.add(a.make() as any);
        s.histogram.quantile(b.make() as any);
        returnsOrThrows(
          () => new LogHistogram(a.make() as any, b.make() as any),
          [TypeError],
        );
      }),
  ),
  hostileArray(
    hostileRecord({
      id: hostile,
      parentId: hostile,
      start: hostile,
      end: hostile,
    }),
  ).map(
    (items) =>
      new Call<State>(`assignLanes(${items.label})`, () => {
        returnsOrThrows(() => assignLanes(items.make() as any), [TypeError]);
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([a, b]) =>
      new Call<State>(`otlp mapping(${a.label}, ${b.label})`, () => {
        toOtlpAttributes(a.make() as any);
        for (const map of [
          () => toOtlpSpan(a.make() as any),
          () => toOtlpResource(a.make() as any),
          () => toOtlpTracesData(a.make() as any, b.make() as any),
          () => toOtlpTracesData([], b.make() as any),
        ]) {
          returnsOrThrows(map, [TypeError]);
        }
      }),
  ),
);

function newState(): State {
  return {
    model: new TraceModel(),
    stats: new StatsCollector(),
    index: new SpanIndex(),
    histogram: new LogHistogram(),
  };
}

describe('the reader given hostile values', () => {
  test('no public function throws', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 10 }), (calls) => {
        const state = newState();
        for (const c of calls) c.run(state);
        // the sinks still answer after all of it
        state.model.recentTraces();
        state.index.traceList();
        expect(state.stats.result()).toBeDefined();
      }),
      fcParams({ numRuns: 200 }),
    );
  });
});
