import type {
  Context,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
} from '@opentelemetry/api';
import {
  createContextKey,
  createTraceState,
  isSpanContextValid,
  trace,
} from './api.js';
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

function single(value: string | Array<string> | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/**
 * W3C Trace Context (`traceparent`, `tracestate`) as an OpenTelemetry
 * propagator, on spantrail's own parser: what `register()` installs, so
 * instrumented clients send the active span and servers continue it.
 */
class TraceContextPropagator implements TextMapPropagator {
  public inject(
    context: Context,
    carrier: unknown,
    setter: TextMapSetter,
  ): void {
    if (context.getValue(suppressTracingKey) === true) return;
    const sc = trace.getSpanContext(context);
    if (sc === undefined || !isSpanContextValid(sc)) return;
    const traceparent = formatTraceParent({
      traceId: sc.traceId,
      spanId: sc.spanId,
      traceFlags: sc.traceFlags,
    });
    if (traceparent === undefined) return;
    setter.set(carrier, traceparentHeader, traceparent);
    const traceState = sc.traceState?.serialize();
    if (traceState != null && traceState !== '') {
      setter.set(carrier, tracestateHeader, traceState);
    }
  }

  public extract(
    context: Context,
    carrier: unknown,
    getter: TextMapGetter,
  ): Context {
    const parsed = parseTraceParent(
      single(getter.get(carrier, traceparentHeader)),
    );
    if (parsed === undefined) return context;
    let traceState = getter.get(carrier, tracestateHeader);
    if (Array.isArray(traceState)) traceState = traceState.join(',');
    return trace.setSpanContext(context, {
      traceId: parsed.traceId,
      spanId: parsed.spanId,
      traceFlags: parsed.traceFlags ?? 0,
      isRemote: true,
      traceState:
        traceState != null && traceState !== '' && isValidTraceState(traceState)
          ? createTraceState(traceState.trim())
          : undefined,
    });
  }

  public fields(): Array<string> {
    return [traceparentHeader, tracestateHeader];
  }
}

export default TraceContextPropagator;
