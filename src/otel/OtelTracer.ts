import type {
  Context,
  Span as OtelSpanApi,
  SpanOptions as OtelSpanOptions,
  Tracer as OtelTracerApi,
} from '@opentelemetry/api';
import type Tracer from '../Tracer.js';
import type { Attributes, SpanKindValue, SpanLink } from '../types.js';
import {
  INVALID_SPAN_CONTEXT,
  context as contextApi,
  createContextKey,
  trace,
} from './api.js';
import { parentOf, spantrailContextOf } from './spans.js';
import { otelSpanFor } from './OtelSpan.js';

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
    if (context.getValue(suppressTracingKey) === true) {
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    const parent =
      options.root === true ? null : (parentOf(trace.getSpan(context)) ?? null);
    let links: Array<SpanLink> | undefined;
    if (options.links != null) {
      links = [];
      for (const link of options.links) {
        if (link?.context == null) continue;
        links.push({
          context: spantrailContextOf(link.context),
          attributes: link.attributes,
        });
      }
    }
    const span = this.tracer.startSpan(name, {
      parent,
      kind: (options.kind ?? 0) as number as SpanKindValue,
      attributes:
        options.attributes == null
          ? this.scopeAttributes
          : { ...this.scopeAttributes, ...options.attributes },
      links,
      startTime: options.startTime,
    });
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
    return contextApi.with(
      trace.setSpan(parentContext, span),
      fn as (span: OtelSpanApi) => ReturnType<F>,
      undefined,
      span,
    ) as ReturnType<F>;
  }
}

export default OtelTracer;
