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
} from '@opentelemetry/api';
import type { SpanContext } from '../types.js';
import { isSpanContextValid } from './api.js';
import Span from '../Span.js';
import { w3cSpanId } from '../utils/ids.js';

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
 * id belongs to, or else a remote span context.
 */
function parentOf(
  otelSpan: OtelSpanApi | undefined,
): Span | SpanContext | undefined {
  if (otelSpan == null) return undefined;
  const behind = adapted.get(otelSpan);
  if (behind !== undefined) return behind;
  const original = wrapped.get(otelSpan);
  if (original !== undefined) return original;
  const sc = otelSpan.spanContext();
  if (sc == null || !isSpanContextValid(sc)) return undefined;
  return localSpan(sc.traceId, sc.spanId) ?? fromOtelSpanContext(sc);
}

/** An OpenTelemetry span context as spantrail's. */
function fromOtelSpanContext(sc: OtelSpanContext): SpanContext {
  const context: SpanContext = {
    traceId: sc.traceId,
    spanId: sc.spanId,
    traceFlags: sc.traceFlags,
  };
  const traceState = sc.traceState?.serialize();
  if (traceState != null && traceState !== '') context.traceState = traceState;
  if (sc.isRemote === true) context.isRemote = true;
  return context;
}

/**
 * A context for a link: the full 32-hex id of a local span, else the
 * OpenTelemetry one as is.
 */
function spantrailContextOf(sc: OtelSpanContext): SpanContext {
  const local = localSpan(sc.traceId, sc.spanId);
  return local !== undefined ? local.spanContext() : fromOtelSpanContext(sc);
}

/** Whether `value` is a spantrail span (not a span context). */
function isSpan(value: unknown): value is Span {
  return value instanceof Span;
}

export {
  rememberAdapter,
  forgetSpan,
  rememberWrapped,
  parentOf,
  spantrailContextOf,
  isSpan,
};
