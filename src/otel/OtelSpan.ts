import type {
  Attributes as OtelAttributes,
  AttributeValue as OtelAttributeValue,
  Exception,
  Link,
  Span as OtelSpanApi,
  SpanContext as OtelSpanContext,
  SpanStatus as OtelSpanStatus,
  TimeInput as OtelTimeInput,
} from '@opentelemetry/api';
import type Span from '../Span.js';
import type {
  Attributes,
  SpanContext,
  SpanLink,
  SpanStatus,
} from '../types.js';
import { createTraceState } from './api.js';
import { w3cSpanId } from '../utils/ids.js';
import { toText, unreadable } from '../utils/attributes.js';
import {
  forgetSpan,
  isSpan,
  rememberAdapter,
  spantrailContextOf,
} from './spans.js';

/**
 * A spantrail {@link Span} seen through OpenTelemetry's `Span` interface.
 * Everything is written to the spantrail span; `spanContext().spanId` is
 * the low 16 hex characters of its 32-hex id, as W3C and OTLP require.
 */
class OtelSpan implements OtelSpanApi {
  public readonly span: Span;
  protected context: OtelSpanContext | undefined;

  public constructor(span: Span) {
    this.span = span;
  }

  public spanContext(): OtelSpanContext {
    if (this.context === undefined) {
      const span = this.span;
      const context: OtelSpanContext = {
        traceId: span.traceId,
        spanId: w3cSpanId(span.spanId),
        traceFlags: span.traceFlags,
        isRemote: false,
      };
      if (span.traceState !== undefined) {
        context.traceState = createTraceState(span.traceState);
      }
      this.context = context;
    }
    return this.context;
  }

  public setAttribute(key: string, value: OtelAttributeValue): this {
    this.span.setAttribute(key, value);
    return this;
  }

  public setAttributes(attributes: OtelAttributes): this {
    this.span.setAttributes(attributes);
    return this;
  }

  public addEvent(
    name: string,
    attributesOrStartTime?: OtelAttributes | OtelTimeInput,
    startTime?: OtelTimeInput,
  ): this {
    this.span.addEvent(name, attributesOrStartTime, startTime);
    return this;
  }

  public addLink(link: Link): this {
    // an unreadable or invalid link is counted as dropped by the span
    this.span.addLink(linkOf(link));
    return this;
  }

  public addLinks(links: Array<Link>): this {
    try {
      for (const link of links) this.addLink(link);
    } catch {
      // not iterable, or a Proxy that throws: one link lost
      if (this.span.isRecording()) this.span.droppedLinks++;
    }
    return this;
  }

  public setStatus(status: OtelSpanStatus): this {
    // the codes are OpenTelemetry's; the span reads the fields once
    this.span.setStatus(status as SpanStatus);
    return this;
  }

  public updateName(name: string): this {
    this.span.updateName(name);
    return this;
  }

  public end(endTime?: OtelTimeInput): void {
    this.span.end(endTime);
    forgetSpan(this.span);
  }

  public isRecording(): boolean {
    return this.span.isRecording();
  }

  /**
   * Adds an `exception` event. As in the OpenTelemetry SDK the status is
   * left alone: instrumentations set it themselves.
   */
  public recordException(exception: Exception, time?: OtelTimeInput): void {
    let attributes: Record<string, string> = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception != null) {
      // getters and Proxies run program code: what throws is unreadable
      try {
        const e = exception as {
          code?: unknown;
          name?: unknown;
          message?: unknown;
          stack?: unknown;
        };
        const code = e.code;
        const name = e.name;
        const message = e.message;
        const stack = e.stack;
        if (code != null) attributes['exception.type'] = toText(code);
        else if (typeof name === 'string') attributes['exception.type'] = name;
        if (typeof message === 'string') {
          attributes['exception.message'] = message;
        }
        if (typeof stack === 'string') {
          attributes['exception.stacktrace'] = stack;
        }
      } catch {
        attributes = { 'exception.message': unreadable };
      }
    }
    this.span.addEvent('exception', attributes, time);
  }
}

/**
 * An OpenTelemetry link as spantrail's, the local span for a 16-hex id;
 * the context is undefined when it cannot be read. Never throws.
 */
function linkOf(link: unknown): SpanLink {
  let context: unknown;
  let attributes: Attributes | undefined;
  try {
    ({ context, attributes } = link as Link);
  } catch {
    // a link that cannot be read has no context
  }
  return {
    context: spantrailContextOf(context) as SpanContext,
    attributes,
  };
}

const adapters: WeakMap<Span, OtelSpan> = new WeakMap();

/**
 * The OpenTelemetry view of `span`, the same object every time. Throws a
 * `TypeError` when `span` is not a spantrail span.
 */
function otelSpanFor(span: Span): OtelSpan {
  if (!isSpan(span)) {
    throw new TypeError(
      `otelSpanFor: expected a spantrail Span, got ${toText(span)}`,
    );
  }
  let adapter = adapters.get(span);
  if (adapter === undefined) {
    adapter = new OtelSpan(span);
    adapters.set(span, adapter);
    rememberAdapter(adapter, span);
  }
  return adapter;
}

export default OtelSpan;
export { otelSpanFor, linkOf };
