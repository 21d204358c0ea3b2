import type { Context } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  ROOT_CONTEXT,
  context as contextApi,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import { setTracer } from '../../src/global.js';
import {
  JsonlSpanExporter,
  OtelSpan,
  SpantrailTracerProvider,
  TraceContextPropagator,
  otelSpanFor,
} from '../../src/otel/index.js';
import {
  Call,
  Hostile,
  hostile,
  hostileArray,
  hostileRecord,
  plain,
  recordLabel,
  thrower,
  throwingTraps,
} from '../utils/hostile.js';
import { parseTrace } from '../utils/schema.js';
import { fcParams } from '../utils/fc.js';

// The OpenTelemetry bridge given values an instrumentation, an exporter
// pipeline or an unlucky program might pass: every public method returns
// normally (or rethrows what the program's own callback threw), and every
// line written is valid format v1.

const traceId = 'a'.repeat(31) + '1';
const spanId = 'b'.repeat(15) + '2';

/** An OpenTelemetry span context: sane, with hostile fields, or hostile. */
const spanContext: fc.Arbitrary<Hostile> = fc.oneof(
  hostile,
  hostileRecord({
    traceId: fc.oneof(fc.constant(plain('traceId', traceId)), hostile),
    spanId: fc.oneof(fc.constant(plain('spanId', spanId)), hostile),
    traceFlags: fc.oneof(fc.constant(plain('1', 1)), hostile),
    isRemote: hostile,
    traceState: fc.oneof(
      hostile,
      hostile.map(
        (h) =>
          new Hostile(`{serialize: () => ${h.label}}`, () => ({
            serialize: () => h.make(),
          })),
      ),
    ),
  }),
);

/** An object that looks like an OpenTelemetry span to the API. */
const otelSpanLike: fc.Arbitrary<Hostile> = fc.oneof(
  hostile,
  spanContext.map(
    (sc) =>
      new Hostile(`{spanContext: () => ${sc.label}}`, () => ({
        spanContext: () => sc.make(),
      })),
  ),
  fc.constant(
    new Hostile('{spanContext: thrower}', () => ({ spanContext: thrower })),
  ),
);

/** A `Context`: hostile, or a real one carrying a hostile span. */
const otelContext: fc.Arbitrary<Hostile> = fc.oneof(
  hostile,
  fc.constant(plain('ROOT_CONTEXT', ROOT_CONTEXT)),
  otelSpanLike.map(
    (s) =>
      new Hostile(`setSpan(ROOT, ${s.label})`, () =>
        trace.setSpan(ROOT_CONTEXT, s.make() as any),
      ),
  ),
  spanContext.map(
    (sc) =>
      new Hostile(`setSpanContext(ROOT, ${sc.label})`, () =>
        trace.setSpanContext(ROOT_CONTEXT, sc.make() as any),
      ),
  ),
);

const link: fc.Arbitrary<Hostile> = hostileRecord({
  context: spanContext,
  attributes: hostile,
  droppedAttributesCount: hostile,
});

const spanOptions: fc.Arbitrary<Hostile> = hostileRecord({
  kind: hostile,
  attributes: hostile,
  links: hostileArray(link),
  startTime: hostile,
  root: hostile,
});

type State = {
  provider: SpantrailTracerProvider;
  tracers: Array<any>;
  spans: Array<any>;
};

const last = <T>(a: Array<T>): T | undefined => a[a.length - 1];

const call: fc.Arbitrary<Call<State>> = fc.oneof(
  fc.tuple(hostile, hostile, hostile).map(
    ([n, v, o]) =>
      new Call<State>(`getTracer(${n.label}, ${v.label}, ${o.label})`, (s) => {
        s.tracers.push(
          s.provider.getTracer(
            n.make() as any,
            v.make() as any,
            o.make() as any,
          ),
        );
      }),
  ),
  fc.tuple(hostile, spanOptions, otelContext).map(
    ([n, o, c]) =>
      new Call<State>(`startSpan(${n.label}, ${o.label}, ${c.label})`, (s) => {
        const tracer = last(s.tracers) ?? s.provider.getTracer('t');
        s.spans.push(
          tracer.startSpan(n.make() as any, o.make() as any, c.make() as any),
        );
      }),
  ),
  fc
    .tuple(hostile, spanOptions, otelContext, fc.integer({ min: 1, max: 3 }))
    .map(
      ([n, o, c, arity]) =>
        new Call<State>(
          `startActiveSpan(${n.label}, ${[o.label, c.label].slice(0, arity - 1).join(', ')}, fn)`,
          (s) => {
            const tracer = last(s.tracers) ?? s.provider.getTracer('t');
            const fn = (span: any) => {
              s.spans.push(span);
              return 'ran';
            };
            const args = [o.make(), c.make()].slice(0, arity - 1);
            expect(tracer.startActiveSpan(n.make(), ...args, fn)).toBe('ran');
          },
        ),
    ),
  fc.tuple(hostile, hostile).map(
    ([k, v]) =>
      new Call<State>(`setAttribute(${k.label}, ${v.label})`, (s) => {
        last(s.spans)?.setAttribute(k.make(), v.make());
      }),
  ),
  hostile.map(
    (a) =>
      new Call<State>(`setAttributes(${a.label})`, (s) => {
        last(s.spans)?.setAttributes(a.make());
      }),
  ),
  fc.tuple(hostile, hostile, hostile).map(
    ([n, a, t]) =>
      new Call<State>(`addEvent(${n.label}, ${a.label}, ${t.label})`, (s) => {
        last(s.spans)?.addEvent(n.make(), a.make(), t.make());
      }),
  ),
  link.map(
    (l) =>
      new Call<State>(`addLink(${l.label})`, (s) => {
        last(s.spans)?.addLink(l.make());
      }),
  ),
  hostileArray(link).map(
    (l) =>
      new Call<State>(`addLinks(${l.label})`, (s) => {
        last(s.spans)?.addLinks(l.make());
      }),
  ),
  hostileRecord({ code: hostile, message: hostile }).map(
    (st) =>
      new Call<State>(`setStatus(${st.label})`, (s) => {
        last(s.spans)?.setStatus(st.make());
      }),
  ),
  hostile.map(
    (n) =>
      new Call<State>(`updateName(${n.label})`, (s) => {
        last(s.spans)?.updateName(n.make());
      }),
  ),
  fc
    .tuple(
      hostileRecord({
        code: hostile,
        name: hostile,
        message: hostile,
        stack: hostile,
      }),
      hostile,
    )
    .map(
      ([e, t]) =>
        new Call<State>(`recordException(${e.label}, ${t.label})`, (s) => {
          last(s.spans)?.recordException(e.make(), t.make());
        }),
    ),
  hostile.map(
    (t) =>
      new Call<State>(`end(${t.label}); spanContext; isRecording`, (s) => {
        const span = s.spans.pop();
        span?.end(t.make());
        span?.spanContext();
        span?.isRecording();
      }),
  ),
  hostile.map(
    (h) =>
      new Call<State>(`otelSpanFor(${h.label})`, (s) => {
        try {
          const span = otelSpanFor(h.make() as any);
          span.spanContext();
          span.isRecording();
        } catch (e) {
          // the documented error for what is not a spantrail span
          expect(e).toBeInstanceOf(TypeError);
          expect(String((e as Error).message)).toMatch(/^otelSpanFor:/);
        }
        void s;
      }),
  ),
  fc.tuple(otelSpanLike, hostile).map(
    ([sp, h]) =>
      new Call<State>(`bridge.with(${sp.label}); bind(fn, ${h.label})`, (s) => {
        const bridge = s.provider.contextManager;
        // a span context or a span as spantrail takes them, or hostile
        expect(
          bridge.with(h.make() as any, () => {
            bridge.active();
            return 'ran';
          }),
        ).toBe('ran');
        expect(bridge.bind(() => 'ran', h.make() as any)()).toBe('ran');
        contextApi.with(trace.setSpan(ROOT_CONTEXT, sp.make() as any), () => {
          bridge.active();
          s.spans.push(otelSpanFor(s.provider.tracer.startSpan('under-otel')));
        });
      }),
  ),
  fc.tuple(otelContext, hostile).map(
    ([c, t]) =>
      new Call<State>(
        `otel.with(${c.label}); bind(${c.label}, ${t.label})`,
        (s) => {
          const manager = s.provider.contextManager.otel;
          manager.active();
          expect(manager.with(c.make() as Context, () => 'ran')).toBe('ran');
          manager.bind(c.make() as Context, t.make());
          const bound = manager.bind(c.make() as Context, () => {
            s.spans.push(otelSpanFor(s.provider.tracer.startSpan('bound')));
            return 'ran';
          });
          expect(bound()).toBe('ran');
        },
      ),
  ),
  fc.tuple(otelContext, hostile, hostile).map(
    ([c, carrier, value]) =>
      new Call<State>(
        `propagator(${c.label}, ${carrier.label}, get -> ${value.label})`,
        () => {
          const propagator = new TraceContextPropagator();
          propagator.inject(
            c.make() as Context,
            carrier.make(),
            defaultTextMapSetter,
          );
          propagator.inject(c.make() as Context, {}, defaultTextMapSetter);
          propagator.extract(
            c.make() as Context,
            carrier.make(),
            defaultTextMapGetter,
          );
          // a getter handing back whatever the carrier held
          propagator.extract(c.make() as Context, null, {
            get: () => value.make() as any,
            keys: () => [],
          });
        },
      ),
  ),
);

let provider: SpantrailTracerProvider;
let chunks: Array<string> = [];
const errors: Array<unknown> = [];

beforeAll(() => {
  provider = new SpantrailTracerProvider({
    output: (chunk: string) => chunks.push(chunk),
    sync: true,
    service: 'hostile-otel',
    limits: { attributeValueLengthLimit: 4096 },
  });
  provider.tracer.addEventListener('error', (e: any) => errors.push(e.error));
  expect(provider.register()).toBe(true);
});

afterAll(async () => {
  provider.unregister();
  setTracer(undefined);
  await provider.shutdown();
});

describe('the OpenTelemetry bridge given hostile values', () => {
  test('no public method throws, and every line written matches the schema', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        chunks = [];
        errors.length = 0;
        const state: State = { provider, tracers: [], spans: [] };
        for (const c of calls) c.run(state);
        for (const s of state.spans) s.end();
        provider.tracer.flushSync();
        expect(errors).toEqual([]);
        parseTrace(chunks.join(''));
      }),
      fcParams({ numRuns: 200 }),
    );
  });
});

const hrTime: fc.Arbitrary<Hostile> = fc.oneof(
  fc.constant(plain('[1700000000, 5000]', [1700000000, 5000])),
  hostile,
);

/** A sane field, or a hostile one in its place. */
const saneOr = (label: string, value: unknown): fc.Arbitrary<Hostile> =>
  fc.oneof(fc.constant(plain(label, value)), hostile);

const readableSpan: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 1, arbitrary: hostile },
  {
    weight: 4,
    arbitrary: fc
      .record(
        {
          name: saneOr('op', 'op'),
          kind: saneOr('2', 2),
          spanContext: fc.oneof(
            hostile,
            spanContext.map(
              (sc) => new Hostile(`() => ${sc.label}`, () => () => sc.make()),
            ),
          ),
          parentSpanContext: spanContext,
          parentSpanId: saneOr('parentSpanId', spanId),
          startTime: hrTime,
          duration: hrTime,
          status: hostileRecord({ code: saneOr('2', 2), message: hostile }),
          attributes: hostile,
          links: hostileArray(link),
          events: hostileArray(
            hostileRecord({
              name: saneOr('e', 'e'),
              time: hrTime,
              attributes: hostile,
              droppedAttributesCount: hostile,
            }),
          ),
          resource: hostileRecord({
            attributes: hostileRecord({ 'service.name': saneOr('svc', 'svc') }),
          }),
          instrumentationScope: hostileRecord({
            name: saneOr('lib', 'lib'),
            version: hostile,
          }),
          droppedAttributesCount: hostile,
          droppedEventsCount: hostile,
          droppedLinksCount: hostile,
        },
        { requiredKeys: [] },
      )
      .map((r) => r as Record<string, Hostile>)
      .map(
        (r) =>
          new Hostile(`span ${recordLabel(r)}`, () => {
            const span: Record<string, unknown> = saneReadableSpan();
            for (const [k, h] of Object.entries(r)) span[k] = h.make();
            return span;
          }),
      ),
  },
);

function saneReadableSpan(): Record<string, unknown> {
  return {
    name: 'sane',
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    startTime: [1700000000, 0],
    duration: [0, 1000],
    status: { code: 0 },
    attributes: { a: 1 },
    links: [],
    events: [],
  };
}

describe('JsonlSpanExporter given hostile spans', () => {
  test('export never throws, answers once, writes only valid lines, and goes on exporting', () => {
    fc.assert(
      fc.property(
        fc.array(hostileArray(readableSpan), { minLength: 1, maxLength: 4 }),
        (batches) => {
          const written: Array<string> = [];
          const exporter = new JsonlSpanExporter(
            (chunk: string) => written.push(chunk),
            { sync: true },
          );
          for (const batch of batches) {
            const results: Array<any> = [];
            exporter.export(batch.make() as any, (r) => results.push(r));
            expect(results).toHaveLength(1);
          }
          const results: Array<any> = [];
          exporter.export(
            [{ ...saneReadableSpan(), name: 'last' } as any],
            (r) => results.push(r),
          );
          expect(results).toEqual([{ code: 0 }]);
          void exporter.shutdown();
          const records = parseTrace(written.join(''));
          expect(records.filter((r) => r.name === 'last').length).toBe(1);
        },
      ),
      fcParams({ numRuns: 200 }),
    );
  });
});

describe('the OpenTelemetry bridge given hostile options', () => {
  const revoked = () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  };

  test('constructors throw the documented TypeError', () => {
    for (const options of [
      new Proxy({}, throwingTraps),
      revoked(),
      { context: new Proxy({}, throwingTraps) },
      {
        get output() {
          return thrower();
        },
      },
      { output: () => {}, context: {} },
    ]) {
      expect(() => new SpantrailTracerProvider(options as any)).toThrow(
        TypeError,
      );
    }
    for (const options of [
      new Proxy({}, throwingTraps),
      revoked(),
      {
        get sync() {
          return thrower();
        },
      },
      { service: { toString: thrower } },
    ]) {
      expect(() => new JsonlSpanExporter(() => {}, options as any)).toThrow(
        TypeError,
      );
    }
    expect(
      () => new JsonlSpanExporter(() => {}, { service: Symbol('s') as any }),
    ).toThrow(/got Symbol\(s\)/);
  });

  test('register() with options that cannot be read throws a TypeError and changes nothing', () => {
    const other = new SpantrailTracerProvider({ output: () => {} });
    for (const options of [new Proxy({}, throwingTraps), revoked()]) {
      expect(() => other.register(options as any)).toThrow(TypeError);
    }
    // the provider registered first is still OpenTelemetry's
    const span = trace.getTracer('still').startSpan('still');
    expect(span).toBeInstanceOf(OtelSpan);
    expect((span as OtelSpan).span.tracer).toBe(provider.tracer);
    span.end();
    void other.shutdown();
  });

  test('otelSpanFor of what is not a span throws a TypeError naming it', () => {
    expect(() => otelSpanFor({} as any)).toThrow(
      /^otelSpanFor: expected a spantrail Span, got \[object Object\]$/,
    );
    expect(() => otelSpanFor(revoked() as any)).toThrow(TypeError);
    expect(() => otelSpanFor({ toString: thrower } as any)).toThrow(
      /got \[unreadable\]/,
    );
  });

  test('a context manager binds what it can and leaves a sealed emitter as it was', () => {
    const manager = provider.contextManager.otel;
    const emitter = Object.seal(new EventEmitter());
    expect(manager.bind(ROOT_CONTEXT, emitter)).toBe(emitter);
    const calls: Array<unknown> = [];
    emitter.on('x', (v) => calls.push(v));
    emitter.emit('x', 1);
    expect(calls).toEqual([1]);
    const fnProxy = new Proxy(() => 'ran', {
      get: thrower,
      getOwnPropertyDescriptor: thrower,
    });
    expect(manager.bind(ROOT_CONTEXT, fnProxy)()).toBe('ran');
  });
});
