import type {
  Context,
  Span as OtelSpanApi,
  TraceState,
} from '@opentelemetry/api';
import type Span from '../Span.js';
import type { ContextManager, SpanContext } from '../types.js';
import type { ContextStorage } from './contextStorage.js';
import { ROOT_CONTEXT, createTraceState, trace } from './api.js';
import OtelContextManager from './OtelContextManager.js';
import { createContextStorage } from './contextStorage.js';
import { isSpan, parentOf, readSpanContext, rememberWrapped } from './spans.js';
import { otelSpanFor } from './OtelSpan.js';
import { w3cSpanId } from '../utils/ids.js';
import { boundCall } from '../utils/bound.js';
import { TraceFlags } from '../constants.js';
import { isValidTraceState } from '../propagation/traceContext.js';

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
    if (context === undefined) return undefined;
    let span: unknown;
    try {
      span = trace.getSpan(context);
    } catch {
      // OpenTelemetry's `with` stores any value: one that is not a
      // context has no span
      return undefined;
    }
    return parentOf(span);
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

  /**
   * The active context with `span` as its span; without one when `span` is
   * neither a span nor a valid span context.
   */
  protected contextWith(span: Store): Context {
    const otelSpan = span == null ? undefined : toOtelSpan(span);
    const context = this.storage.getStore() ?? ROOT_CONTEXT;
    try {
      return otelSpan === undefined
        ? trace.deleteSpan(context)
        : trace.setSpan(context, otelSpan);
    } catch {
      // the active value is not a context (OpenTelemetry's `with` stores
      // any value): the span alone
      return otelSpan === undefined
        ? ROOT_CONTEXT
        : trace.setSpan(ROOT_CONTEXT, otelSpan);
    }
  }
}

/**
 * `span` as an OpenTelemetry span, or undefined when it is neither a span
 * nor a valid span context. Never throws.
 */
function toOtelSpan(span: Span | SpanContext): OtelSpanApi | undefined {
  if (isSpan(span)) return otelSpanFor(span);
  const read = readSpanContext(span);
  if (read === undefined) return undefined;
  const { context, traceState } = read;
  let state: TraceState | undefined;
  if (typeof traceState === 'string' && isValidTraceState(traceState)) {
    context.traceState = traceState;
    state = createTraceState(traceState);
  }
  const otelSpan = trace.wrapSpanContext({
    traceId: context.traceId,
    spanId: w3cSpanId(context.spanId),
    traceFlags: context.traceFlags ?? TraceFlags.SAMPLED,
    isRemote: context.isRemote === true,
    traceState: state,
  });
  // the context as read: the parent of spans started under it
  rememberWrapped(otelSpan, context);
  return otelSpan;
}

export default BridgeContextManager;
