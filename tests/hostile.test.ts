import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ErrorOutput,
  FdSink,
  FunctionSink,
  IdGenerator,
  JsonlOutput,
  SpanEvent,
  StreamSink,
  TracerErrorEvent,
  WebStreamSink,
  getTracer,
  instrumentAsyncInit,
  instrumentFetch,
  instrumentHttp,
  isInstrumentationSuppressed,
  isTraced,
  noopTracer,
  parseInstrumentations,
  registerContexts,
  setTracer,
  traceOutputFromArgs,
  tracerFromProcess,
  unwrapTraced,
  withoutInstrumentation,
  OtlpHttpExporter,
  ParentBasedSampler,
  TraceIdRatioSampler,
  Tracer,
  NonRecordingSpan,
  pinoTraceMixin,
  traceFields,
  traceLogFormatter,
  extractTraceContext,
  formatTraceParent,
  getObjectSpan,
  injectTraceContext,
  traceClass,
  traceObject,
  isValidTraceState,
  parseTraceParent,
  setObjectSpan,
  spanFromContextObject,
  traced,
  withContextSpan,
} from '../src/index.js';
import { wrapTraced } from '../src/methods/wrap.js';
import {
  Hostile,
  hostile,
  hostileArray,
  hostileMakers,
  hostileRecord,
  plain,
  returnsOrThrows,
  thrower,
  throwingTraps,
} from './utils/hostile.js';
import { parseTrace } from './utils/schema.js';
import { fcParams } from './utils/fc.js';

// Every public method of spans and tracers, given values an attacker or an
// unlucky program might pass, must return normally, and every line written
// must parse and match docs/format.schema.json.

/** Options objects whose fields are hostile, or a hostile object itself. */
const spanOptions: fc.Arbitrary<Hostile> = hostileRecord({
  startTime: hostile,
  parent: hostile,
  kind: hostile,
  attributes: hostile,
  links: hostileArray(hostile),
});

type Run = (tracer: Tracer, spans: Array<any>) => void;

class Call {
  public constructor(
    public readonly label: string,
    public readonly run: Run,
  ) {}

  public [fc.toStringMethod](): string {
    return this.label;
  }
}

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.tuple(hostile, spanOptions).map(
    ([n, o]) =>
      new Call(`startSpan(${n.label}, ${o.label})`, (tracer, spans) => {
        spans.push(tracer.startSpan(n.make() as any, o.make() as any));
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([k, v]) =>
      new Call(`setAttribute(${k.label}, ${v.label})`, (_t, s) => {
        s[s.length - 1]?.setAttribute(k.make(), v.make());
      }),
  ),
  hostile.map(
    (a) =>
      new Call(`setAttributes(${a.label})`, (_t, s) => {
        s[s.length - 1]?.setAttributes(a.make());
      }),
  ),
  fc.tuple(hostile, hostile, hostile).map(
    ([n, a, t]) =>
      new Call(`addEvent(${n.label}, ${a.label}, ${t.label})`, (_t, s) => {
        s[s.length - 1]?.addEvent(n.make(), a.make(), t.make());
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([c, a]) =>
      new Call(`addLink(${c.label}, ${a.label})`, (_t, s) => {
        s[s.length - 1]?.addLink(c.make(), a.make());
        s[s.length - 1]?.addLink({ context: c.make(), attributes: a.make() });
      }),
  ),
  hostile.map(
    (st) =>
      new Call(`setStatus(${st.label})`, (_t, s) => {
        s[s.length - 1]?.setStatus(st.make());
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([e, t]) =>
      new Call(`recordException(${e.label}, ${t.label})`, (_t, s) => {
        s[s.length - 1]?.recordException(e.make(), t.make());
      }),
  ),
  hostile.map(
    (n) =>
      new Call(`updateName(${n.label})`, (_t, s) => {
        s[s.length - 1]?.updateName(n.make());
      }),
  ),
  hostile.map(
    (t) =>
      new Call(`end(${t.label})`, (_t, s) => {
        s.pop()?.end(t.make());
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([c, sp]) =>
      new Call(`inject(${c.label}, ${sp.label}); extract`, (tracer) => {
        tracer.inject(c.make() as any, sp.make() as any);
        tracer.extract(c.make());
      }),
  ),
  hostile.map(
    (sp) =>
      new Call(`withSpan(${sp.label}); bind`, (tracer, s) => {
        tracer.withSpan(sp.make() as any, () => {
          s.push(tracer.startSpan('under'));
        });
        tracer.bind(() => undefined, sp.make() as any)();
      }),
  ),
  fc.tuple(hostile, spanOptions).map(
    ([n, o]) =>
      new Call(`startActiveSpan(${n.label}, ${o.label})`, (tracer) => {
        tracer.startActiveSpan(n.make() as any, o.make() as any, (span) =>
          span.isRecording(),
        );
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([a, b]) =>
      new Call(`helpers(${a.label}, ${b.label})`, (tracer, s) => {
        parseTraceParent(a.make());
        formatTraceParent(a.make() as any);
        isValidTraceState(a.make());
        injectTraceContext(a.make() as any, b.make() as any);
        extractTraceContext(a.make());
        const span = s[s.length - 1] ?? tracer.startSpan('helpers');
        setObjectSpan(a.make() as any, span);
        getObjectSpan(a.make());
        spanFromContextObject(a.make());
        spanFromContextObject(withContextSpan(a.make() as any, span));
      }),
  ),
  fc.tuple(hostile, hostile).map(
    ([self, arg]) =>
      new Call(`traced.call(${self.label}, ${arg.label})`, (tracer) => {
        // a traced method with an attributes function reading its
        // argument: the method runs whatever `this` and the argument are
        let ran = false;
        const method = wrapTraced(
          function (_arg: unknown) {
            ran = true;
          },
          {
            name: undefined,
            resolveName: (x: any) => x?.constructor?.name,
            attributes: (_s: unknown, args: ArrayLike<unknown>) =>
              ({ arg: args[0], nested: { arg: args[0] } }) as any,
            tracer,
          },
        );
        method.call(self.make(), arg.make());
        if (!ran) throw new Error('the traced method did not run');
      }),
  ),
);

describe('hostile values', () => {
  test('no public method throws, and every line written matches the schema', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        const chunks: Array<string> = [];
        const tracer = new Tracer({
          output: (chunk: string) => chunks.push(chunk),
          sync: true,
          service: 'hostile',
          limits: { attributeValueLengthLimit: 4096 },
        });
        const errors: Array<unknown> = [];
        tracer.addEventListener('error', (e: any) => errors.push(e.error));
        const spans: Array<any> = [];
        for (const c of calls) c.run(tracer, spans);
        for (const s of spans) s.end();
        tracer.flushSync();
        expect(errors).toEqual([]);
        const records = parseTrace(chunks.join(''));
        for (const r of records) {
          if (r.type !== 'span' && r.type !== 'start') continue;
          expect(r.name.length).toBeLessThanOrEqual(4096);
          for (const key of Object.keys(r.attributes)) {
            expect(key.length).toBeLessThanOrEqual(4096);
          }
          if (r.status?.message !== undefined) {
            expect(r.status.message.length).toBeLessThanOrEqual(4096);
          }
        }
      }),
      fcParams({ numRuns: 200 }),
    );
  });

  test('invalid times fall back to now and are counted on the span', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({ output: (c: string) => chunks.push(c) });
    const before = Date.now() * 1000;
    for (const bad of [new Date('x'), NaN, Infinity, [NaN, 0], -1e20, 1e300]) {
      const span = tracer.startSpan('t', { startTime: bad as any });
      span.addEvent('e', bad as any);
      span.end(bad as any);
    }
    tracer.flushSync();
    const spans = parseTrace(chunks.join('')).filter((r) => r.type === 'span');
    expect(spans).toHaveLength(6);
    for (const s of spans) {
      expect(s.startTime).toBeGreaterThanOrEqual(before - 1000);
      expect(s.startTime).toBeLessThanOrEqual(Date.now() * 1000 + 1000);
      expect(s.events[0].time).toBeGreaterThanOrEqual(s.startTime);
      expect(s.attributes['spantrail.time.invalid']).toBe(3);
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.duration).toBeLessThan(60e9);
    }
  });

  test('names, keys, event names and status messages are cut and counted', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({
      output: (c: string) => chunks.push(c),
      limits: { attributeValueLengthLimit: 8 },
    });
    const span = tracer.startSpan('n'.repeat(100));
    span.setAttribute('k'.repeat(100), 1);
    span.addEvent('e'.repeat(100));
    span.setStatus({ code: 2, message: 'm'.repeat(100) });
    span.updateName('u'.repeat(9));
    span.end();
    tracer.flushSync();
    const [s] = parseTrace(chunks.join('')).filter((r) => r.type === 'span');
    expect(s.name).toBe('uuuuuuuu');
    expect(s.attributes).toEqual({ kkkkkkkk: 1, 'spantrail.truncated': 5 });
    expect(s.events[0].name).toBe('eeeeeeee');
    expect(s.status.message).toBe('mmmmmmmm');
  });

  test('@traced with a revoked Proxy argument still runs the method', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({ output: (c: string) => chunks.push(c) });
    class Service {
      @traced({ tracer, attributes: (_self, args) => ({ arg: args[0] }) })
      public handle(arg: unknown): string {
        return typeof arg;
      }
    }
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(new Service().handle(r.proxy)).toBe('object');
    tracer.flushSync();
    const [s] = parseTrace(chunks.join('')).filter((x) => x.type === 'span');
    expect(s.name).toBe('Service.handle');
    expect(s.attributes.arg).toBe('[unreadable]');
    expect(s.dropped).toEqual({ attributes: 1 });
  });

  test('hostile Tracer options throw the documented TypeError', () => {
    const revoked = () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    };
    for (const options of [
      new Proxy({}, throwingTraps),
      revoked(),
      { limits: revoked() },
      { limits: new Proxy({}, throwingTraps) },
      { sampler: new Proxy({}, throwingTraps) },
      { context: new Proxy({}, throwingTraps) },
      { context: revoked() },
      {
        get output() {
          return thrower();
        },
      },
      // an invalid value whose text cannot be made: the message says so
      { limits: { attributeCountLimit: { toString: thrower } } },
      { output: () => {}, flushInterval: { toString: thrower } },
      { output: () => {}, bufferSize: Object.create(null) },
      { output: Object.create(null) },
    ]) {
      expect(() => new Tracer(options as any)).toThrow(TypeError);
    }
    expect(() => new TraceIdRatioSampler({ toString: thrower } as any)).toThrow(
      /got \[unreadable\]/,
    );
    expect(
      () =>
        new OtlpHttpExporter({
          url: 'http://127.0.0.1:1',
          encoding: Object.create(null),
        }),
    ).toThrow(/got \[unreadable\]/);
  });

  test('traceObject and traceClass: hostile objects, classes and options throw the documented TypeError', () => {
    const tracer = new Tracer();
    const revoked = () => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    };
    const fnProxy = () => new Proxy(class {}, throwingTraps);
    for (const object of [revoked(), new Proxy({}, throwingTraps), 5, null]) {
      expect(() => traceObject(tracer, object as any)).toThrow(TypeError);
    }
    for (const options of [revoked(), new Proxy({}, throwingTraps)]) {
      expect(() => traceObject(tracer, {}, options as any)).toThrow(TypeError);
      expect(() => traceClass(tracer, class {}, options as any)).toThrow(
        TypeError,
      );
    }
    expect(() => traceClass(tracer, fnProxy())).toThrow(TypeError);
  });

  test('hostile decorator options throw the documented TypeError', () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(() => {
      class C {
        @traced(r.proxy as any)
        public m(): void {}
      }
      return C;
    }).toThrow(TypeError);
    expect(() => {
      class C {
        @traced(new Proxy({}, throwingTraps))
        public m(): void {}
      }
      return C;
    }).toThrow(TypeError);
    expect(() => {
      class C {
        @traced({ onResult: 5 as any })
        public m(): void {}
      }
      return C;
    }).toThrow(TypeError);
  });
});

/**
 * Hostile values that are no path, file descriptor or URL: a string or a
 * number given as a destination opens a file or writes to an fd.
 */
const unopenable: fc.Arbitrary<Hostile> = fc
  .constantFrom(
    ...Object.keys(hostileMakers).filter(
      (k) => typeof hostileMakers[k]() === 'object',
    ),
  )
  .map((k) => new Hostile(k, hostileMakers[k]));

describe('samplers given hostile values', () => {
  test('constructors throw only the documented TypeError, and shouldSample and toString never throw', () => {
    fc.assert(
      fc.property(
        hostile,
        hostileRecord({ root: hostile }),
        fc.tuple(hostile, hostile, hostile),
        (ratio, options, [traceId, name, parent]) => {
          returnsOrThrows(
            () => new TraceIdRatioSampler(ratio.make() as any),
            [TypeError],
          );
          const made = returnsOrThrows(
            () => new ParentBasedSampler(options.make() as any),
            [TypeError],
          ) as ParentBasedSampler | undefined;
          const samplers = [
            new AlwaysOnSampler(),
            new AlwaysOffSampler(),
            new TraceIdRatioSampler(0.5),
            new ParentBasedSampler({ root: new TraceIdRatioSampler(0.5) }),
          ];
          if (made !== undefined) {
            samplers.push(made);
            expect(typeof made.toString()).toBe('string');
          }
          for (const sampler of samplers) {
            const decision = sampler.shouldSample(
              traceId.make() as any,
              name.make() as any,
              parent.make() as any,
            );
            expect(typeof decision).toBe('boolean');
            expect(typeof sampler.toString()).toBe('string');
          }
        },
      ),
      fcParams({ numRuns: 300 }),
    );
  });
});

describe('JsonlOutput given hostile values', () => {
  const options = hostileRecord({
    service: hostile,
    emitStart: hostile,
    bufferSize: hostile,
    sync: hostile,
    flushInterval: hostile,
    exitTimeout: hostile,
    closeTimeout: hostile,
    onError: hostile,
  });

  test('the constructor throws only the documented errors', () => {
    fc.assert(
      fc.property(fc.oneof(unopenable, hostile), options, (target, o) => {
        // a target that could name a path or fd is not tried
        const t = target.make();
        if (typeof t === 'string' || typeof t === 'number') return;
        const output = returnsOrThrows(
          () => new JsonlOutput(t as any, o.make() as any),
          [TypeError, ErrorOutput],
        ) as JsonlOutput | undefined;
        void output?.close();
      }),
      fcParams({ numRuns: 300 }),
    );
  });

  test('onStart and onEnd ignore what is not a span, and every line written matches the schema', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), hostile), { maxLength: 6 }),
        options,
        async (calls, o) => {
          const chunks: Array<string> = [];
          const output = returnsOrThrows(
            () =>
              new JsonlOutput((c: string) => chunks.push(c), o.make() as any),
            [TypeError],
          ) as JsonlOutput | undefined;
          if (output === undefined) return;
          const tracer = new Tracer({ output, service: 'hostile' });
          const open = tracer.startSpan('open');
          for (const [start, h] of calls) {
            if (start) output.onStart(h.make() as any);
            else output.onEnd(h.make() as any);
            // spans this output did not see start, open, or not recording
            output.onStart(tracer.startSpan('started elsewhere'));
            output.onEnd(open);
            output.onEnd(new NonRecordingSpan(tracer, open.spanContext()));
          }
          tracer.startSpan('ended').end();
          output.flushSync();
          await output.flush();
          await output.close();
          const records = parseTrace(chunks.join(''));
          // a `start` record for the open span at most, and one `span`
          expect(
            records.filter((r) => r.type === 'span').map((r) => r.name),
          ).toEqual(['ended']);
        },
      ),
      fcParams({ numRuns: 100 }),
    );
  });

  test('a stream that cannot be written to is the documented ErrorOutput', () => {
    const broken = { write: () => true, on: thrower };
    expect(() => new JsonlOutput(broken as any)).toThrow(ErrorOutput);
    const locked = new WritableStream();
    locked.getWriter();
    expect(() => new JsonlOutput(locked)).toThrow(
      /^output: the stream cannot be written: /,
    );
  });
});

describe('OtlpHttpExporter given hostile values', () => {
  /** No collector listens here: nothing is ever sent anywhere. */
  const url = 'http://127.0.0.1:9/v1/traces';
  const options = hostileRecord({
    url: fc.oneof(fc.constant(plain('url', url)), hostile),
    headers: hostileRecord({ 'x-h': hostile, [String('bad name')]: hostile }),
    encoding: hostile,
    compression: hostile,
    maxQueueSize: hostile,
    maxBatchSize: hostile,
    scheduledDelay: hostile,
    exportTimeout: hostile,
    maxAttempts: hostile,
    resource: hostileRecord({ a: hostile, 'service.name': hostile }),
    service: hostile,
    env: hostileRecord({
      OTEL_EXPORTER_OTLP_ENDPOINT: hostile,
      OTEL_EXPORTER_OTLP_HEADERS: hostile,
      OTEL_RESOURCE_ATTRIBUTES: hostile,
      OTEL_BSP_MAX_QUEUE_SIZE: hostile,
    }),
    onError: hostile,
  });

  test('the constructor and fromTarget throw only the documented TypeError; onStart and onEnd take only ended spans', async () => {
    await fc.assert(
      fc.asyncProperty(
        options,
        hostile,
        fc.array(hostile, { maxLength: 4 }),
        async (o, target, spans) => {
          returnsOrThrows(
            () => OtlpHttpExporter.fromTarget(target.make() as any, {}),
            [TypeError],
          );
          const made = returnsOrThrows(
            () => new OtlpHttpExporter(o.make() as any),
            [TypeError],
          ) as OtlpHttpExporter | undefined;
          await made?.close();
          const exporter = new OtlpHttpExporter({
            url,
            env: {},
            maxAttempts: 1,
            exportTimeout: 200,
            shutdownTimeout: 200,
          });
          const tracer = new Tracer({ output: exporter });
          for (const s of spans) {
            exporter.onStart();
            exporter.onEnd(s.make() as any);
          }
          exporter.onEnd(tracer.startSpan('open'));
          exporter.onEnd(new NonRecordingSpan(tracer, tracer.startSpan('x')));
          expect(exporter.queued).toBe(0);
          tracer.startSpan('ended').end();
          expect(exporter.queued).toBe(1);
          exporter.flushSync();
          await exporter.close();
          expect(exporter.exportedSpans + exporter.failedSpans).toBe(1);
        },
      ),
      fcParams({ numRuns: 60 }),
    );
  });
});

describe('log correlation helpers given hostile values', () => {
  test('traceFields, pinoTraceMixin and traceLogFormatter never throw but the documented TypeError', () => {
    const tracer = new Tracer({ output: () => {} });
    fc.assert(
      fc.property(hostile, hostile, hostile, (t, formatter, record) => {
        const run = () => {
          const fields = traceFields(t.make() as any);
          if (fields !== undefined) {
            expect(fields.traceId).toMatch(/^[0-9a-f]{32}$/);
          }
          expect(typeof pinoTraceMixin(t.make() as any)()).toBe('object');
          returnsOrThrows(
            () => traceLogFormatter(formatter.make() as any, t.make() as any),
            [TypeError],
          );
          // the program's own formatter, given any record
          const wrapped = traceLogFormatter((r) => typeof r, t.make() as any);
          expect(typeof wrapped(record.make() as any)).toBe('string');
          const fromTracer = traceLogFormatter((r: any) => typeof r, tracer);
          expect(typeof fromTracer(record.make() as any)).toBe('string');
        };
        run();
        tracer.startActiveSpan('active', run);
      }),
      fcParams({ numRuns: 300 }),
    );
  });
});

describe('the other functions of spantrail given hostile values', () => {
  test('they return, or throw the documented TypeError', () => {
    const events = { drain: () => {}, fail: () => {} };
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        for (const run of [
          () => {
            setTracer(a.make() as any);
            getTracer().startSpan('x').end();
          },
          () => registerContexts(a.make() as any),
          () => parseInstrumentations(a.make() as any),
          () => isTraced(a.make()),
          () => unwrapTraced(a.make()),
          () => traceOutputFromArgs(a.make() as any, b.make() as any, false),
          () => new IdGenerator().next(a.make() as any),
          () => withoutInstrumentation(a.make() as any),
          () => withoutInstrumentation(() => isInstrumentationSuppressed()),
          () => new SpanEvent(a.make() as any, b.make() as any),
          () => new TracerErrorEvent(a.make()),
          () => new FunctionSink(a.make() as any),
          () => new StreamSink(a.make() as any, events),
          () => new WebStreamSink(a.make() as any, events),
          () => {
            // a number could name an open fd, a string a path
            const v = a.make();
            if (typeof v !== 'number') FdSink.fromFd(v as any, events);
            if (typeof v !== 'string') FdSink.open(v as any, events);
          },
          () => instrumentAsyncInit(a.make() as any, b.make() as any),
          () => instrumentHttp(a.make() as any, b.make() as any),
          () => instrumentFetch(a.make() as any, b.make() as any),
          () => noopTracer.startSpan(a.make() as any, b.make() as any).end(),
          () => noopTracer.inject(a.make() as any, b.make() as any),
          () => noopTracer.extract(a.make()),
        ]) {
          // a program's own function (the `fn` value) may throw its own
          if (a.label === 'fn' || a.label === 'functionProxy') continue;
          returnsOrThrows(run, [TypeError]);
        }
        setTracer(undefined);
      }),
      fcParams({ numRuns: 300 }),
    );
  });

  test('an fd that is not a non-negative integer is a TypeError, not a crash', () => {
    // Node's fstat aborted the whole process on a Proxy
    const events = { drain: () => {}, fail: () => {} };
    for (const fd of [new Proxy({}, throwingTraps), -1, 1.5, NaN, '1']) {
      expect(() => FdSink.fromFd(fd as any, events)).toThrow(TypeError);
    }
  });

  test('unwrapTraced of a marker pointing back at its function ends', () => {
    const f = () => 1;
    (f as any)[Symbol.for('spantrail.traced')] = f;
    expect(unwrapTraced(f)).toBe(f);
    expect(isTraced(f)).toBe(true);
  });

  test('tracerFromProcess with options that cannot be read throws a TypeError', () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    for (const options of [null, r.proxy, new Proxy({}, throwingTraps)]) {
      expect(() => tracerFromProcess(options as any)).toThrow(
        /^tracerFromProcess: options cannot be read$/,
      );
    }
    expect(() =>
      tracerFromProcess({ argv: [{ toString: thrower }] as any, env: {} }),
    ).not.toThrow();
  });
});
