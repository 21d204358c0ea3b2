import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import JsonlSpanExporter from './JsonlSpanExporter.js';

let contextManager;

/** OpenTelemetry's AsyncLocalStorage context manager, set globally once. */
function enableOtelContext() {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
}

/**
 * A `BasicTracerProvider` tracer; with `file`, spans go to a
 * {@link JsonlSpanExporter} writing that file, through a
 * `SimpleSpanProcessor`, or with `batch` a `BatchSpanProcessor` (its
 * production defaults, but for the queue size `batch.maxQueueSize`).
 */
function createOtel(file, batch) {
  enableOtelContext();
  const exporter = file == null ? undefined : new JsonlSpanExporter(file);
  const processor =
    exporter === undefined
      ? undefined
      : batch === undefined
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(exporter, batch);
  const provider = new BasicTracerProvider({
    spanProcessors: processor === undefined ? [] : [processor],
  });
  const tracer = provider.getTracer('bench');
  return {
    provider,
    tracer,
    exporter,
    async close() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

function fail(span, e) {
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(e?.message) });
  span.end();
}

/**
 * The OpenTelemetry counterpart of `@traced()`: the method runs inside
 * `tracer.startActiveSpan`, and the span ends when it returns, throws or its
 * promise settles.
 */
function otelTraced(tracer, name, method) {
  return function (...args) {
    return tracer.startActiveSpan(name, (span) => {
      let result;
      try {
        result = method.apply(this, args);
      } catch (e) {
        fail(span, e);
        throw e;
      }
      if (result != null && typeof result.then === 'function') {
        return result.then(
          (value) => {
            span.end();
            return value;
          },
          (e) => {
            fail(span, e);
            throw e;
          },
        );
      }
      span.end();
      return result;
    });
  };
}

/** Runs `fn` with a parent span active, as a request handler would. */
function otelWithParent(tracer, fn) {
  const parent = tracer.startSpan('parent');
  return context.with(trace.setSpan(context.active(), parent), fn);
}

export { createOtel, otelTraced, otelWithParent, enableOtelContext };

/** Removes the global context manager, as when no SDK is set up. */
function disableOtelContext() {
  context.disable();
  contextManager = undefined;
}

export { disableOtelContext };
