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
import type { SpanStatusCodeValue } from '../types.js';
import { createTraceState } from './api.js';
import { w3cSpanId } from '../utils/ids.js';
import { toText, unreadable } from '../utils/attributes.js';
import { forgetSpan, rememberAdapter, spantrailContextOf } from './spans.js';

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
    if (link?.context != null) {
      this.span.addLink(spantrailContextOf(link.context), link.attributes);
    }
    return this;
  }

  public addLinks(links: Array<Link>): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  public setStatus(status: OtelSpanStatus): this {
    if (status != null) {
      this.span.setStatus({
        code: status.code as number as SpanStatusCodeValue,
        message: status.message,
      });
    }
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

const adapters: WeakMap<Span, OtelSpan> = new WeakMap();

/** The OpenTelemetry view of `span`, the same object every time. */
function otelSpanFor(span: Span): OtelSpan {
  let adapter = adapters.get(span);
  if (adapter === undefined) {
    adapter = new OtelSpan(span);
    adapters.set(span, adapter);
    rememberAdapter(adapter, span);
  }
  return adapter;
}

export default OtelSpan;
export { otelSpanFor };
