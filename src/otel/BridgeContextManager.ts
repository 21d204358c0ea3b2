import type { Context, Span as OtelSpanApi } from '@opentelemetry/api';
import type Span from '../Span.js';
import type { ContextManager, SpanContext } from '../types.js';
import type { ContextStorage } from './contextStorage.js';
import { ROOT_CONTEXT, createTraceState, trace } from './api.js';
import OtelContextManager from './OtelContextManager.js';
import { createContextStorage } from './contextStorage.js';
import { isSpan, parentOf, rememberWrapped } from './spans.js';
import { otelSpanFor } from './OtelSpan.js';
import { w3cSpanId } from '../utils/ids.js';
import { boundCall } from '../utils/bound.js';

type Store = Span | SpanContext | undefined;

/**
 * One active context for spantrail and OpenTelemetry. The store holds an
 * OpenTelemetry `Context` (so baggage, suppression and whatever else
 * instrumentations keep there survive); the active span is the span in it.
 * Give it to the tracer (`new Tracer({ context: bridge })`) and register
 * {@link BridgeContextManager.otel} with OpenTelemetry: both then read and
 * write the same store, so a span started on either side is the parent of
 * spans started on the other.
 */
class BridgeContextManager implements ContextManager {
  /** The same store through OpenTelemetry's `ContextManager` interface. */
  public readonly otel: OtelContextManager;
  protected storage: ContextStorage;

  public constructor() {
    this.storage = createContextStorage();
    this.otel = new OtelContextManager(this.storage);
  }

  public active(): Store {
    const context = this.storage.getStore();
    return context === undefined ? undefined : parentOf(trace.getSpan(context));
  }

  public with<R>(
    span: Store,
    fn: (...args: Array<any>) => R,
    thisArg?: unknown,
    args?: ArrayLike<unknown>,
  ): R {
    return this.storage.run(
      this.contextWith(span),
      Reflect.apply,
      fn,
      thisArg,
      args ?? [],
    );
  }

  public bind<F extends (...args: Array<any>) => any>(fn: F, span?: Store): F {
    // without a span, the whole context active now is kept
    const context =
      span === undefined
        ? (this.storage.getStore() ?? ROOT_CONTEXT)
        : this.contextWith(span);
    return boundCall(fn, (f, thisArg, args) =>
      this.storage.run(context, Reflect.apply, f, thisArg, args),
    );
  }

  /** The active context with `span` as its span. */
  protected contextWith(span: Store): Context {
    const context = this.storage.getStore() ?? ROOT_CONTEXT;
    if (span == null) return trace.deleteSpan(context);
    return trace.setSpan(context, toOtelSpan(span));
  }
}

function toOtelSpan(span: Span | SpanContext): OtelSpanApi {
  if (isSpan(span)) return otelSpanFor(span);
  const otelSpan = trace.wrapSpanContext({
    traceId: span.traceId,
    spanId: w3cSpanId(span.spanId),
    traceFlags: span.traceFlags ?? 1,
    isRemote: span.isRemote === true,
    traceState:
      span.traceState === undefined
        ? undefined
        : createTraceState(span.traceState),
  });
  rememberWrapped(otelSpan, span);
  return otelSpan;
}

export default BridgeContextManager;
