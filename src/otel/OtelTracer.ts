import type {
  Context,
  Span as OtelSpanApi,
  SpanOptions as OtelSpanOptions,
  Tracer as OtelTracerApi,
} from '@opentelemetry/api';
import type Tracer from '../Tracer.js';
import type {
  Attributes,
  SpanKindValue,
  SpanLink,
  TimeInput,
} from '../types.js';
import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  context as contextApi,
  createContextKey,
  trace,
} from './api.js';
import { parentOf } from './spans.js';
import { linkOf, otelSpanFor } from './OtelSpan.js';

// The key the OpenTelemetry SDK marks suppressed tracing with (exporters
// suppress their own requests); `createContextKey` is `Symbol.for`.
const suppressTracingKey = createContextKey(
  'OpenTelemetry SDK Context Key SUPPRESS_TRACING',
);

/** Instrumentation scope of an OpenTelemetry tracer. */
type Scope = { name: string; version?: string; schemaUrl?: string };

/**
 * OpenTelemetry's `Tracer` over a spantrail {@link Tracer}: its spans are
 * spantrail spans (sampled, limited and written like any other) seen
 * through {@link OtelSpan}. The parent comes from the OpenTelemetry context
 * given (default: the active one). The instrumentation scope is recorded
 * as the `otel.scope.name` / `otel.scope.version` attributes, as
 * OpenTelemetry does for formats without scopes.
 */
class OtelTracer implements OtelTracerApi {
  public readonly tracer: Tracer;
  public readonly scope: Readonly<Scope>;
  protected scopeAttributes: Attributes;

  public constructor(tracer: Tracer, scope: Scope) {
    this.tracer = tracer;
    this.scope = scope;
    this.scopeAttributes = { 'otel.scope.name': scope.name };
    if (scope.version != null && scope.version !== '') {
      this.scopeAttributes['otel.scope.version'] = scope.version;
    }
  }

  public startSpan(
    name: string,
    options: OtelSpanOptions = {},
    context: Context = contextApi.active(),
  ): OtelSpanApi {
    let parentSpan: unknown;
    try {
      if (context.getValue(suppressTracingKey) === true) {
        return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      }
      parentSpan = trace.getSpan(context);
    } catch {
      // not a context, or one that throws: the span starts a new trace
    }
    let root: unknown;
    let kind: unknown;
    let attributes: unknown;
    let links: unknown;
    let startTime: unknown;
    try {
      ({ root, kind, attributes, links, startTime } = options ?? {});
    } catch {
      // options whose getters throw: what was read before still counts
    }
    let spanAttributes = this.scopeAttributes;
    let unreadableAttributes = 0;
    // what is not an object, or cannot be read, is dropped and counted
    // (a string is not taken apart into characters)
    if (attributes != null) {
      unreadableAttributes = 1;
      if (typeof attributes === 'object') {
        try {
          spanAttributes = { ...this.scopeAttributes, ...attributes };
          unreadableAttributes = 0;
        } catch {
          // a Proxy or getter that throws
        }
      }
    }
    let spanLinks: Array<SpanLink> | undefined;
    let unreadableLinks = 0;
    if (links != null) {
      spanLinks = [];
      unreadableLinks = 1;
      if (typeof links === 'object') {
        try {
          for (const link of links as Iterable<unknown>) {
            spanLinks.push(linkOf(link));
          }
          unreadableLinks = 0;
        } catch {
          // not iterable, or a Proxy that throws
        }
      }
    }
    const span = this.tracer.startSpan(name, {
      parent: root === true ? null : (parentOf(parentSpan) ?? null),
      kind: kind as SpanKindValue,
      attributes: spanAttributes,
      links: spanLinks,
      startTime: startTime as TimeInput,
    });
    if (span.isRecording()) {
      span.droppedAttributes += unreadableAttributes;
      span.droppedLinks += unreadableLinks;
    }
    return otelSpanFor(span);
  }

  public startActiveSpan<F extends (span: OtelSpanApi) => unknown>(
    name: string,
    fn: F,
  ): ReturnType<F>;
  public startActiveSpan<F extends (span: OtelSpanApi) => unknown>(
    name: string,
    options: OtelSpanOptions,
    fn: F,
  ): ReturnType<F>;
  public startActiveSpan<F extends (span: OtelSpanApi) => unknown>(
    name: string,
    options: OtelSpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  public startActiveSpan<F extends (span: OtelSpanApi) => unknown>(
    name: string,
    ...rest: Array<unknown>
  ): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    if (typeof fn !== 'function') return undefined as ReturnType<F>;
    const options = (rest.length >= 2 ? rest[0] : undefined) as
      OtelSpanOptions | undefined;
    const parentContext =
      (rest.length >= 3 ? (rest[1] as Context | undefined) : undefined) ??
      contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    let spanContext: Context;
    try {
      spanContext = trace.setSpan(parentContext, span);
    } catch {
      // a context that cannot take the span: the span alone
      spanContext = trace.setSpan(ROOT_CONTEXT, span);
    }
    return contextApi.with(
      spanContext,
      fn as (span: OtelSpanApi) => ReturnType<F>,
      undefined,
      span,
    ) as ReturnType<F>;
  }
}

export default OtelTracer;
