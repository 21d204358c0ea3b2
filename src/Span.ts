import type Tracer from './Tracer.js';
import type {
  Attributes,
  SpanAttributes,
  SpanContext,
  SpanEventRecord,
  SpanKindValue,
  SpanLink,
  SpanLinkRecord,
  SpanStatus,
  TimeInput,
} from './types.js';
import {
  SpanStatusCode,
  invalidTimeAttribute,
  truncatedAttribute,
} from './constants.js';
import { describeException } from './utils/exceptions.js';
import {
  keyCut,
  mergeAttributes,
  sanitizeAttributes,
  setAttributeOn,
  toText,
  valueUnreadable,
} from './utils/attributes.js';
import {
  isTimeInput,
  perfNow,
  perfToEpochMicros,
  timeInputToPerf,
} from './utils/time.js';
import { isValidSpanId, isValidTraceId } from './propagation/traceContext.js';

/** Longest duration written, in nanoseconds: a safe integer. */
const maxDuration = Number.MAX_SAFE_INTEGER;

const statusUnset: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/**
 * One unit of work in a trace, OpenTelemetry-shaped. Spans are made by
 * {@link Tracer.startSpan}; a span is written when it starts and, complete,
 * when {@link Span.end} is called. Nothing keeps a reference to an open span
 * besides its user, so one that is never ended is simply garbage.
 */
class Span {
  /** 32 hex characters, shared by every span of the trace. */
  public readonly traceId: string;
  /** 32 hex characters; the low 16 are its W3C/OTLP span id. */
  public readonly spanId: string;
  /** The parent's span id (16 hex characters for a remote parent). */
  public readonly parentId: string | undefined;
  /** Changed only through {@link Span.updateName}. */
  public name: string;
  public readonly kind: SpanKindValue;
  /** Epoch microseconds. */
  public readonly startTime: number;
  /** Nanoseconds; -1 until the span has ended. */
  public duration: number = -1;
  public status: SpanStatus = statusUnset;
  /** Attributes set so far; undefined while there are none. */
  public attributes: SpanAttributes | undefined = undefined;
  public events: Array<SpanEventRecord> | undefined = undefined;
  public links: Array<SpanLinkRecord> | undefined = undefined;
  public droppedAttributes: number = 0;
  public droppedEvents: number = 0;
  public droppedLinks: number = 0;
  public readonly traceFlags: number;
  public readonly traceState: string | undefined;
  public readonly tracer: Tracer;
  /** `performance.now()` at start, the base of `duration`. */
  protected readonly perfStart: number;
  protected ended: boolean = false;
  protected attributeCount: number = 0;
  /** Names, keys, event names and status messages cut at the limit. */
  protected truncatedCount: number = 0;
  /** Times that were not valid times and were replaced by now. */
  protected invalidTimes: number = 0;

  /** @internal Use {@link Tracer.startSpan}. */
  public constructor(
    tracer: Tracer,
    name: string,
    traceId: string,
    spanId: string,
    parentId: string | undefined,
    kind: SpanKindValue,
    perfStart: number,
    traceFlags: number,
    traceState: string | undefined,
  ) {
    this.tracer = tracer;
    this.name = name;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentId = parentId;
    this.kind = kind;
    this.perfStart = perfStart;
    this.startTime = perfToEpochMicros(perfStart);
    this.traceFlags = traceFlags;
    this.traceState = traceState;
  }

  /** Whether this span still records (sampled and not ended). */
  public isRecording(): boolean {
    return !this.ended;
  }

  /** Whether {@link Span.end} has been called. */
  public isEnded(): boolean {
    return this.ended;
  }

  /** The identity of this span, for links and propagation. */
  public spanContext(): SpanContext {
    const context: SpanContext = {
      traceId: this.traceId,
      spanId: this.spanId,
      traceFlags: this.traceFlags,
    };
    if (this.traceState !== undefined) context.traceState = this.traceState;
    return context;
  }

  public setAttribute(key: string, value: unknown): this {
    if (this.ended) return this;
    if (this.attributes === undefined) this.attributes = {};
    const limits = this.tracer.limits;
    const r = setAttributeOn(
      this.attributes,
      this.attributeCount,
      key,
      value,
      limits.attributeCountLimit,
      limits.attributeValueLengthLimit,
    );
    if (r < 0) {
      this.droppedAttributes++;
    } else {
      this.attributeCount += r & 1;
      if (r > 1) {
        if ((r & valueUnreadable) !== 0) this.droppedAttributes++;
        if ((r & keyCut) !== 0) this.noteTruncated(1);
      }
    }
    return this;
  }

  public setAttributes(attributes: Attributes): this {
    if (this.ended || attributes == null) return this;
    if (this.attributes === undefined) this.attributes = {};
    const limits = this.tracer.limits;
    const r = mergeAttributes(
      this.attributes,
      this.attributeCount,
      attributes,
      limits.attributeCountLimit,
      limits.attributeValueLengthLimit,
    );
    this.attributeCount = r.count;
    this.droppedAttributes += r.dropped;
    if (r.truncated > 0) this.noteTruncated(r.truncated);
    return this;
  }

  /**
   * Adds a timed event. As in OpenTelemetry, the second argument may be the
   * time instead of the attributes.
   */
  public addEvent(
    name: string,
    attributesOrTime?: Attributes | TimeInput,
    time?: TimeInput,
  ): this {
    if (this.ended) return this;
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      time = attributesOrTime;
    } else {
      attributes = attributesOrTime;
    }
    const limits = this.tracer.limits;
    if ((this.events?.length ?? 0) >= limits.eventCountLimit) {
      this.droppedEvents++;
      return this;
    }
    const event: SpanEventRecord = {
      name: this.limitText(name),
      time: perfToEpochMicros(
        time === undefined ? perfNow() : this.perfOf(time),
      ),
    };
    const r = sanitizeAttributes(
      attributes,
      limits.attributePerEventCountLimit,
      limits.attributeValueLengthLimit,
    );
    if (r.attributes !== undefined) event.attributes = r.attributes;
    if (r.dropped > 0) event.dropped = r.dropped;
    if (r.truncated > 0) this.noteTruncated(r.truncated);
    (this.events ??= []).push(event);
    return this;
  }

  /** Links this span to another, e.g. the span that enqueued its work. */
  public addLink(
    context: SpanContext | SpanLink,
    attributes?: Attributes,
  ): this {
    if (this.ended) return this;
    let traceId: unknown;
    let spanId: unknown;
    try {
      if ('context' in context && context.context != null) {
        attributes = context.attributes;
        context = context.context;
      }
      ({ traceId, spanId } = context as SpanContext);
    } catch {
      // not an object, or a Proxy or getter that throws: no context to link
    }
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) {
      this.droppedLinks++;
      return this;
    }
    const limits = this.tracer.limits;
    if ((this.links?.length ?? 0) >= limits.linkCountLimit) {
      this.droppedLinks++;
      return this;
    }
    const link: SpanLinkRecord = { traceId, spanId };
    const r = sanitizeAttributes(
      attributes,
      limits.attributePerLinkCountLimit,
      limits.attributeValueLengthLimit,
    );
    if (r.attributes !== undefined) link.attributes = r.attributes;
    if (r.dropped > 0) link.dropped = r.dropped;
    if (r.truncated > 0) this.noteTruncated(r.truncated);
    (this.links ??= []).push(link);
    return this;
  }

  /**
   * Sets the status. As in OpenTelemetry, UNSET is ignored and OK is final
   * for later `setStatus` calls.
   */
  public setStatus(status: SpanStatus): this {
    if (this.ended || status == null) return this;
    let code: unknown;
    let message: unknown;
    try {
      code = status.code;
      if (code === SpanStatusCode.ERROR) message = status.message;
    } catch {
      // a status whose getters throw sets nothing
      return this;
    }
    if (
      this.status.code === SpanStatusCode.OK ||
      (code !== SpanStatusCode.OK && code !== SpanStatusCode.ERROR)
    ) {
      return this;
    }
    this.status =
      message != null
        ? { code: SpanStatusCode.ERROR, message: this.limitText(message) }
        : { code };
    return this;
  }

  /**
   * Records an `exception` event and marks the span ERROR, keeping an ERROR
   * status (and its message) that was set before. A failed span never reads
   * as OK.
   */
  public recordException(exception: unknown, time?: TimeInput): this {
    if (this.ended) return this;
    const e = describeException(exception);
    const attributes: Attributes = {
      'exception.type': e.type,
      'exception.message': e.message,
    };
    if (e.stacktrace !== undefined) {
      attributes['exception.stacktrace'] = e.stacktrace;
    }
    this.addEvent('exception', attributes, time);
    if (this.status.code !== SpanStatusCode.ERROR) {
      this.status = {
        code: SpanStatusCode.ERROR,
        message: this.limitText(e.message),
      };
    }
    return this;
  }

  public updateName(name: string): this {
    if (!this.ended) this.name = this.limitText(name);
    return this;
  }

  /** Ends the span and writes it; later calls are ignored. */
  public end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const perfEnd = endTime === undefined ? perfNow() : this.perfOf(endTime);
    const duration = Math.round((perfEnd - this.perfStart) * 1e6);
    this.duration =
      duration > 0 ? (duration < maxDuration ? duration : maxDuration) : 0;
    this.tracer.onSpanEnd(this);
  }

  /**
   * @internal The tracer's counts of what it had to change while starting
   * the span (a cut name, an invalid start time).
   */
  public noteStart(truncated: number, invalidTimes: number): void {
    if (truncated > 0) this.noteTruncated(truncated);
    if (invalidTimes > 0) {
      this.invalidTimes += invalidTimes;
      this.markCount(invalidTimeAttribute, this.invalidTimes);
    }
  }

  /** `time` on the span's clock, or now (counted) when it is not a time. */
  protected perfOf(time: unknown): number {
    const perf = timeInputToPerf(time as TimeInput);
    if (perf === perf) return perf;
    this.invalidTimes++;
    this.markCount(invalidTimeAttribute, this.invalidTimes);
    return perfNow();
  }

  /** Any value as text cut at the length limit, counting the cut. */
  protected limitText(value: unknown): string {
    const text = typeof value === 'string' ? value : toText(value);
    const limit = this.tracer.limits.attributeValueLengthLimit;
    if (text.length <= limit) return text;
    this.noteTruncated(1);
    return text.slice(0, limit);
  }

  protected noteTruncated(count: number): void {
    this.truncatedCount += count;
    this.markCount(truncatedAttribute, this.truncatedCount);
  }

  /** Sets a count spantrail keeps about the span, beyond the count limit. */
  protected markCount(key: string, count: number): void {
    (this.attributes ??= {})[key] = count;
  }
}

/**
 * Whether `value` is a span of this copy of spantrail. Never throws: a
 * Proxy whose `getPrototypeOf` throws, or a revoked one, is not a span.
 */
function isSpan(value: unknown): value is Span {
  try {
    return value instanceof Span;
  } catch {
    return false;
  }
}

export default Span;
export { isSpan };
