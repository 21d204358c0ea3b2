/**
 * The identity map between spantrail spans and their OpenTelemetry views.
 * A span has one {@link OtelSpan} adapter for its life (kept in a WeakMap,
 * so it goes with the span). OpenTelemetry code only ever sees the 16-hex
 * span id; when such an id comes back (a `SpanContext` wrapped by
 * `trace.wrapSpanContext`, a `traceparent` sent to a server in this
 * process) it is mapped to the local span, so `parentId` is its full id.
 */
import type {
  Span as OtelSpanApi,
  SpanContext as OtelSpanContext,
  TraceState,
} from '@opentelemetry/api';
import type { SpanContext } from '../types.js';
import type Span from '../Span.js';
import { w3cSpanId } from '../utils/ids.js';
import { isValidSpanId, isValidTraceId } from '../propagation/traceContext.js';

/** Local spans by 16-hex id; bounded, oldest forgotten first. */
const localLimit = 4096;
const locals: Map<string, Span> = new Map();
/** Spantrail span contexts behind the OTel spans that wrap them. */
const wrapped: WeakMap<object, SpanContext> = new WeakMap();

/** The spantrail spans behind their OpenTelemetry adapters. */
const adapted: WeakMap<object, Span> = new WeakMap();

/**
 * Remembers the adapter made for `span`, and maps `span`'s 16-hex id to it
 * while it records (OpenTelemetry code names parents by id).
 */
function rememberAdapter(adapter: object, span: Span): void {
  adapted.set(adapter, span);
  if (!span.isRecording()) return;
  const id = w3cSpanId(span.spanId);
  locals.delete(id);
  locals.set(id, span);
  if (locals.size > localLimit) {
    locals.delete(locals.keys().next().value!);
  }
}

/** Stops mapping `span`'s 16-hex id (it ended). */
function forgetSpan(span: Span): void {
  const id = w3cSpanId(span.spanId);
  if (locals.get(id) === span) locals.delete(id);
}

/** The local span with this trace id and 16-hex span id, if known. */
function localSpan(traceId: string, spanId: string): Span | undefined {
  const span = locals.get(spanId);
  return span !== undefined && span.traceId === traceId ? span : undefined;
}

/** Remembers the spantrail context an OTel span was made to carry. */
function rememberWrapped(otelSpan: object, context: SpanContext): void {
  wrapped.set(otelSpan, context);
}

/**
 * What a spantrail span takes as parent for an OpenTelemetry span found in
 * a context: the spantrail span behind an adapter, the local span a 16-hex
 * id belongs to, or else a remote span context. Undefined for anything that
 * is not a span with a valid span context. Never throws.
 */
function parentOf(otelSpan: unknown): Span | SpanContext | undefined {
  if (otelSpan == null) return undefined;
  // WeakMaps answer for any value without running its code
  const behind = adapted.get(otelSpan as object);
  if (behind !== undefined) return behind;
  const original = wrapped.get(otelSpan as object);
  if (original !== undefined) return original;
  let sc: unknown;
  try {
    sc = (otelSpan as OtelSpanApi).spanContext();
  } catch {
    // not a span, or a Proxy or getter that throws: no parent
    return undefined;
  }
  return spantrailContextOf(sc);
}

/**
 * The fields of a span context, each read once, with valid ids; its trace
 * state as found (text or an OpenTelemetry `TraceState`). Undefined when it
 * cannot be read or its ids are not valid. Never throws.
 */
function readSpanContext(
  value: unknown,
): { context: SpanContext; traceState: unknown } | undefined {
  let traceId: unknown;
  let spanId: unknown;
  let traceFlags: unknown;
  let isRemote: unknown;
  let traceState: unknown;
  try {
    ({ traceId, spanId, traceFlags, isRemote, traceState } =
      value as OtelSpanContext);
  } catch {
    return undefined;
  }
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  const context: SpanContext = { traceId, spanId };
  if (typeof traceFlags === 'number') context.traceFlags = traceFlags;
  if (isRemote === true) context.isRemote = true;
  return { context, traceState };
}

/**
 * An OpenTelemetry span context as spantrail's, each field read once, or
 * undefined when it has no valid ids or cannot be read. Never throws.
 */
function fromOtelSpanContext(sc: unknown): SpanContext | undefined {
  const read = readSpanContext(sc);
  if (read === undefined) return undefined;
  try {
    const state = (read.traceState as TraceState | undefined)?.serialize();
    if (typeof state === 'string' && state !== '') {
      read.context.traceState = state;
    }
  } catch {
    // a trace state that cannot be serialised is left out
  }
  return read.context;
}

/**
 * A spantrail context for an OpenTelemetry one (a parent, a link): the full
 * 32-hex id of a local span, else the OpenTelemetry one as is; undefined
 * when it is not valid or cannot be read. Never throws.
 */
function spantrailContextOf(sc: unknown): Span | SpanContext | undefined {
  const context = fromOtelSpanContext(sc);
  if (context === undefined) return undefined;
  return localSpan(context.traceId, context.spanId) ?? context;
}

export {
  readSpanContext,
  rememberAdapter,
  forgetSpan,
  rememberWrapped,
  parentOf,
  spantrailContextOf,
};
export { isSpan } from '../Span.js';
