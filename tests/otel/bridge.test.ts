import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { EventEmitter } from 'node:events';
import {
  ROOT_CONTEXT,
  SpanKind as OtelSpanKind,
  context,
  createContextKey,
  propagation,
  trace,
} from '@opentelemetry/api';
import { Tracer } from '../../src/index.js';
import type { SpanProcessor } from '../../src/types.js';
import { getTracer, setTracer } from '../../src/global.js';
import SpantrailTracerProvider from '../../src/otel/SpantrailTracerProvider.js';
import BridgeContextManager from '../../src/otel/BridgeContextManager.js';
import traced from '../../src/decorators/traced.js';
import { parseTrace } from '../utils/schema.js';

let jsonl = '';
const output = (chunk: string) => {
  jsonl += chunk;
};
let provider: SpantrailTracerProvider;
let tracer: Tracer;
const otel = () => trace.getTracer('bridge-test', '9.9.9');

function spans(): Map<string, any> {
  tracer.flushSync();
  const records = parseTrace(jsonl).filter((r) => r.type === 'span');
  return new Map(records.map((r) => [r.name, r]));
}

beforeAll(() => {
  provider = new SpantrailTracerProvider({
    output,
    service: 'bridge',
    sync: true,
  });
  tracer = provider.tracer;
  expect(provider.register()).toBe(true);
});

afterAll(async () => {
  provider.unregister();
  setTracer(undefined);
  await provider.shutdown();
});

describe('SpantrailTracerProvider', () => {
  test('register() makes the tracer spantrail’s global one too', () => {
    expect(getTracer()).toBe(tracer);
    expect(trace.getTracer('x')).toBeDefined();
  });

  test('an OTel span inside a spantrail span is its child, and the other way round', async () => {
    await tracer.startActiveSpan('st-outer', async (outer) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // OpenTelemetry sees the spantrail span as the active one
      expect(trace.getActiveSpan()?.spanContext().spanId).toBe(
        outer.spanId.slice(16),
      );
      await otel().startActiveSpan(
        'otel-mid',
        { kind: OtelSpanKind.CLIENT },
        async (mid) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          tracer.startActiveSpan('st-inner', (inner) => {
            otel().startSpan('otel-leaf').end();
            inner.end();
          });
          mid.end();
        },
      );
    });
    const s = spans();
    const outer = s.get('st-outer');
    const mid = s.get('otel-mid');
    const inner = s.get('st-inner');
    const leaf = s.get('otel-leaf');
    expect(mid.parentId).toBe(outer.spanId);
    expect(inner.parentId).toBe(mid.spanId);
    expect(leaf.parentId).toBe(inner.spanId);
    for (const r of [mid, inner, leaf]) expect(r.traceId).toBe(outer.traceId);
    // full 32-hex ids throughout: every parent is local
    for (const r of [mid, inner, leaf]) expect(r.parentId).toHaveLength(32);
    expect(mid.kind).toBe(2);
    expect(mid.attributes['otel.scope.name']).toBe('bridge-test');
    expect(mid.attributes['otel.scope.version']).toBe('9.9.9');
  });

  test('@traced methods and OTel spans nest both ways', async () => {
    class Service {
      @traced()
      public async handle(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await otel().startActiveSpan('otel-in-traced', async (span) => {
          await this.store();
          span.end();
        });
      }

      @traced()
      public async store(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const service = new Service();
    await otel().startActiveSpan('otel-root', async (span) => {
      await service.handle();
      span.end();
    });
    const s = spans();
    const handle = [...s.values()].find((r) => r.name.endsWith('handle'));
    const store = [...s.values()].find((r) => r.name.endsWith('store'));
    expect(handle.parentId).toBe(s.get('otel-root').spanId);
    expect(s.get('otel-in-traced').parentId).toBe(handle.spanId);
    expect(store.parentId).toBe(s.get('otel-in-traced').spanId);
  });

  test('OTel span contexts have 16-hex span ids: the low half of spantrail’s', () => {
    const span = otel().startSpan('ids');
    const sc = span.spanContext();
    span.end();
    const record = spans().get('ids');
    expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(record.spanId).toHaveLength(32);
    expect(record.spanId.slice(16)).toBe(sc.spanId);
    expect(sc.traceId).toBe(record.traceId);
  });

  test('a 16-hex parent that is a local span maps back to its full id', () => {
    const parent = otel().startSpan('wrapped-parent');
    // instrumentations often pass only the span context around
    const ctx = trace.setSpanContext(ROOT_CONTEXT, parent.spanContext());
    const child = otel().startSpan('wrapped-child', {}, ctx);
    const linker = otel().startSpan('linker', {
      links: [{ context: parent.spanContext() }],
    });
    child.end();
    linker.end();
    parent.end();
    const s = spans();
    expect(s.get('wrapped-child').parentId).toBe(
      s.get('wrapped-parent').spanId,
    );
    expect(s.get('linker').links[0].spanId).toBe(
      s.get('wrapped-parent').spanId,
    );
  });

  test('a remote parent keeps its 16-hex id', () => {
    const ctx = propagation.extract(ROOT_CONTEXT, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=1',
    });
    const span = otel().startSpan(
      'remote-child',
      { kind: OtelSpanKind.SERVER },
      ctx,
    );
    expect(span.spanContext().traceState?.get('vendor')).toBe('1');
    span.end();
    const r = spans().get('remote-child');
    expect(r.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(r.parentId).toBe('b7ad6b7169203331');
    expect(r.kind).toBe(1);
  });

  test('inject writes the active span’s traceparent', () => {
    tracer.startActiveSpan('injector', (span) => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      expect(carrier.traceparent).toBe(
        `00-${span.traceId}-${span.spanId.slice(16)}-01`,
      );
    });
  });

  test('other context values survive spantrail’s own context switches', async () => {
    const key = createContextKey('bridge-test-key');
    const seen = await context.with(
      context.active().setValue(key, 'kept'),
      () =>
        tracer.startActiveSpan('keeps-values', async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return context.active().getValue(key);
        }),
    );
    expect(seen).toBe('kept');
  });

  test('suppressed tracing makes no spans', () => {
    const suppress = createContextKey(
      'OpenTelemetry SDK Context Key SUPPRESS_TRACING',
    );
    const span = otel().startSpan(
      'suppressed',
      {},
      ROOT_CONTEXT.setValue(suppress, true),
    );
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(spans().has('suppressed')).toBe(false);
  });

  test('root: true starts a new trace; recordException leaves the status to the caller', () => {
    tracer.startActiveSpan('not-a-parent', () => {
      const span = otel().startSpan('rooted', { root: true });
      span.recordException(new RangeError('out'));
      span.end();
    });
    const r = spans().get('rooted');
    expect(r.parentId).toBeUndefined();
    expect(r.status.code).toBe(0);
    expect(r.events[0].name).toBe('exception');
    expect(r.events[0].attributes['exception.type']).toBe('RangeError');
  });

  test('context.bind binds functions and event emitters', async () => {
    const emitter = new EventEmitter();
    let inListener: string | undefined;
    let inFunction: string | undefined;
    const bound = tracer.startActiveSpan('binder', () => {
      context.bind(context.active(), emitter);
      return context.bind(context.active(), () => {
        inFunction = trace.getActiveSpan()?.spanContext().spanId;
      });
    });
    const listener = () => {
      inListener = trace.getActiveSpan()?.spanContext().spanId;
    };
    emitter.on('go', listener);
    emitter.emit('go');
    bound();
    const binder = spans().get('binder');
    expect(inListener).toBe(binder.spanId.slice(16));
    expect(inFunction).toBe(binder.spanId.slice(16));
    emitter.removeListener('go', listener);
    expect(emitter.listenerCount('go')).toBe(0);
  });

  test('a tracer without the bridge is refused, with the fix in the message', () => {
    const plain = new Tracer();
    expect(() => new SpantrailTracerProvider(plain)).toThrow(
      /BridgeContextManager/,
    );
    const bridged = new Tracer({ context: new BridgeContextManager() });
    expect(new SpantrailTracerProvider(bridged).tracer).toBe(bridged);
  });

  test('spans of a sampled-out parent stay unrecorded on both sides', () => {
    const none = new Tracer({
      context: new BridgeContextManager(),
      sampler: { shouldSample: () => false, toString: () => 'off' },
      output: [
        {
          onStart() {},
          onEnd() {},
          flush: async () => {},
          flushSync() {},
          close: async () => {},
        } as SpanProcessor,
      ],
    });
    const p = new SpantrailTracerProvider(none);
    const span = p.getTracer('t').startSpan('x');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags).toBe(0);
  });
});
