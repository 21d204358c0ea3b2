import type {
  Context,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from '@opentelemetry/api';
import { createContextKey, createTraceState, trace } from './api.js';
import { spantrailContextOf } from './spans.js';
import {
  formatTraceParent,
  isValidTraceState,
  parseTraceParent,
  traceparentHeader,
  tracestateHeader,
} from '../propagation/traceContext.js';

const suppressTracingKey = createContextKey(
  'OpenTelemetry SDK Context Key SUPPRESS_TRACING',
);

function single(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/**
 * W3C Trace Context (`traceparent`, `tracestate`) as an OpenTelemetry
 * propagator, on spantrail's own parser: what `register()` installs, so
 * instrumented clients send the active span and servers continue it. Like
 * the tracer's `inject` and `extract` it never throws: a context, carrier,
 * getter or setter that cannot be read or written injects nothing and
 * extracts nothing.
 */
class TraceContextPropagator implements TextMapPropagator {
  public inject(
    context: Context,
    carrier: unknown,
    setter: TextMapSetter,
  ): void {
    try {
      if (context.getValue(suppressTracingKey) === true) return;
      const sc = spantrailContextOf(trace.getSpanContext(context));
      if (sc === undefined) return;
      const traceparent = formatTraceParent(sc);
      if (traceparent === undefined) return;
      setter.set(carrier, traceparentHeader, traceparent);
      if (sc.traceState !== undefined && isValidTraceState(sc.traceState)) {
        setter.set(carrier, tracestateHeader, sc.traceState);
      }
    } catch {
      // nothing more is injected
    }
  }

  public extract(
    context: Context,
    carrier: unknown,
    getter: TextMapGetter,
  ): Context {
    try {
      const parsed = parseTraceParent(
        single(getter.get(carrier, traceparentHeader)),
      );
      if (parsed === undefined) return context;
      let traceState: unknown = getter.get(carrier, tracestateHeader);
      if (Array.isArray(traceState)) traceState = traceState.join(',');
      return trace.setSpanContext(context, {
        traceId: parsed.traceId,
        spanId: parsed.spanId,
        traceFlags: parsed.traceFlags ?? 0,
        isRemote: true,
        traceState:
          typeof traceState === 'string' &&
          traceState !== '' &&
          isValidTraceState(traceState)
            ? createTraceState(traceState.trim())
            : undefined,
      });
    } catch {
      // a getter, carrier or context that throws: nothing extracted
      return context;
    }
  }

  public fields(): Array<string> {
    return [traceparentHeader, tracestateHeader];
  }
}

export default TraceContextPropagator;
