import type {
  Attributes as OtelAttributes,
  HrTime,
  Link,
  SpanContext as OtelSpanContext,
  SpanKind as OtelSpanKind,
  SpanStatus as OtelSpanStatus,
} from '@opentelemetry/api';
import type {
  JsonlOutputOptions,
  OutputTarget,
  SpanAttributes,
  SpanEventRecord,
  SpanLinkRecord,
} from '../types.js';
import { SpanStatusCode } from '../constants.js';
import JsonlOutput from '../output/JsonlOutput.js';
import { metaLine, spanLine } from '../format/writer.js';
import { sanitizeAttributes, toText } from '../utils/attributes.js';
import { kindOf, statusCodeOf } from '../utils/codes.js';
import { sortableTick } from '../IdGenerator.js';
import { isValidSpanId, isValidTraceId } from '../propagation/traceContext.js';

/** What the exporter reads of an OpenTelemetry SDK `ReadableSpan`. */
type ReadableSpanLike = {
  readonly name: string;
  readonly kind: OtelSpanKind;
  spanContext(): OtelSpanContext;
  /** SDK 2.x. */
  readonly parentSpanContext?: OtelSpanContext;
  /** SDK 1.x. */
  readonly parentSpanId?: string;
  readonly startTime: HrTime;
  readonly duration: HrTime;
  readonly status: OtelSpanStatus;
  readonly attributes: OtelAttributes;
  readonly links: Array<Link>;
  readonly events: Array<{
    time: HrTime;
    name: string;
    attributes?: OtelAttributes;
    droppedAttributesCount?: number;
  }>;
  readonly resource?: { attributes?: Record<string, unknown> };
  readonly instrumentationScope?: { name: string; version?: string };
  readonly droppedAttributesCount?: number;
  readonly droppedEventsCount?: number;
  readonly droppedLinksCount?: number;
};

/** OpenTelemetry's `ExportResult`: code 0 is SUCCESS, 1 FAILED. */
type ExportResultLike = { code: 0 | 1; error?: Error };

type JsonlSpanExporterOptions = Omit<JsonlOutputOptions, 'service'> & {
  /**
   * The service of the `meta` record; default the `service.name` of the
   * spans' resource.
   */
  service?: string;
};

const noLimit = Number.MAX_SAFE_INTEGER;
const parentIdPattern = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;

/** `[seconds, nanoseconds]`, or undefined when `t` is not an `HrTime`. */
function hrTime(t: unknown): [number, number] | undefined {
  if (!Array.isArray(t)) return undefined;
  const [s, ns] = t;
  return typeof s === 'number' && typeof ns === 'number' ? [s, ns] : undefined;
}

/** `t` as epoch microseconds, or NaN when it is not a valid time. */
function epochMicros(t: unknown): number {
  const hr = hrTime(t);
  if (hr === undefined) return NaN;
  const n = Math.floor(hr[0] * 1e6 + hr[1] / 1e3);
  return n >= 0 && n <= noLimit ? n : NaN;
}

/** `t` as nanoseconds, or NaN when it is not a valid duration. */
function nanos(t: unknown): number {
  const hr = hrTime(t);
  if (hr === undefined) return NaN;
  const n = Math.round(hr[0] * 1e9 + hr[1]);
  return n >= 0 && n <= noLimit ? n : NaN;
}

/** `value` when it is an array, else none (a string is not taken apart). */
function arrayOf<T>(value: ReadonlyArray<T>): ReadonlyArray<T> {
  return Array.isArray(value) ? value : [];
}

/** An event's or link's attributes and dropped count, as they fit. */
function addAttributes(
  record: SpanEventRecord | SpanLinkRecord,
  attributes: Record<string, unknown> | undefined,
  droppedCount: unknown,
): void {
  const a = sanitizeAttributes(attributes, noLimit, noLimit);
  if (a.attributes !== undefined) record.attributes = a.attributes;
  const dropped = countOf(droppedCount) + a.dropped;
  if (dropped > 0) record.dropped = dropped;
}

/** A count the SDK keeps, or 0 for anything else. */
function countOf(value: unknown): number {
  return typeof value === 'number' && value > 0 && value <= noLimit
    ? Math.floor(value)
    : 0;
}

/**
 * A 32-hex spantrail span id for a 16-hex OpenTelemetry one: the
 * IdSortable time prefix of the span's start (so ids still sort by time and
 * carry it), then the OpenTelemetry id as the low 8 bytes, which keeps it
 * the span's W3C/OTLP id and lets 16-hex `parentId`s resolve to it.
 */
function spantrailSpanId(spanId: string, startMicros: number): string {
  const tick = sortableTick(startMicros / 1000);
  return tick.toString(16).padStart(12, '0').slice(-12) + '7000' + spanId;
}

/**
 * The `span` record of a finished OpenTelemetry span, with its newline, or
 * undefined when it has no valid ids or start time. Fields the SDK never
 * leaves invalid are still checked: a value that is not what the SDK
 * writes is left out, and the record is always valid format v1. Throws
 * only when a getter or Proxy of the span throws.
 */
function readableSpanLine(span: ReadableSpanLike): string | undefined {
  const sc: unknown = span.spanContext();
  const { traceId, spanId } = sc as OtelSpanContext;
  const startTime = epochMicros(span.startTime);
  if (
    !isValidTraceId(traceId) ||
    typeof spanId !== 'string' ||
    spanId.length !== 16 ||
    !isValidSpanId(spanId) ||
    startTime !== startTime
  ) {
    return undefined;
  }
  const parentId: unknown = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const attrs = sanitizeAttributes(span.attributes, noLimit, noLimit);
  const attributes: SpanAttributes = attrs.attributes ?? {};
  const scope = span.instrumentationScope;
  const scopeName = scope?.name;
  if (
    typeof scopeName === 'string' &&
    scopeName !== '' &&
    !('otel.scope.name' in attributes)
  ) {
    attributes['otel.scope.name'] = scopeName;
    const version = scope!.version;
    if (typeof version === 'string' && version !== '') {
      attributes['otel.scope.version'] = version;
    }
  }
  // the SDK checks neither the kind nor the status code
  const status: unknown = span.status;
  const code = statusCodeOf((status as OtelSpanStatus | undefined)?.code);
  const message =
    code === SpanStatusCode.ERROR
      ? (status as OtelSpanStatus).message
      : undefined;
  const events: Array<SpanEventRecord> = [];
  for (const e of arrayOf(span.events)) {
    const time = epochMicros(e.time);
    const event: SpanEventRecord = {
      name: toText(e.name),
      // an event without a valid time is put at the span's start
      time: time === time ? time : startTime,
    };
    addAttributes(event, e.attributes, e.droppedAttributesCount);
    events.push(event);
  }
  let droppedLinks = countOf(span.droppedLinksCount);
  const links: Array<SpanLinkRecord> = [];
  for (const l of arrayOf(span.links)) {
    const { traceId: linkTraceId, spanId: linkSpanId } = l.context;
    if (!isValidTraceId(linkTraceId) || !isValidSpanId(linkSpanId)) {
      droppedLinks++;
      continue;
    }
    const link: SpanLinkRecord = { traceId: linkTraceId, spanId: linkSpanId };
    addAttributes(link, l.attributes, l.droppedAttributesCount);
    links.push(link);
  }
  const duration = nanos(span.duration);
  return spanLine({
    traceId,
    spanId: spantrailSpanId(spanId, startTime),
    parentId:
      typeof parentId === 'string' && parentIdPattern.test(parentId)
        ? parentId
        : undefined,
    name: toText(span.name),
    kind: kindOf(span.kind),
    startTime,
    duration: duration === duration ? duration : 0,
    status: message != null ? { code, message: toText(message) } : { code },
    attributes,
    events,
    links,
    droppedAttributes: countOf(span.droppedAttributesCount) + attrs.dropped,
    droppedEvents: countOf(span.droppedEventsCount),
    droppedLinks,
  });
}

function serviceOf(span: ReadableSpanLike): string | undefined {
  const name = span.resource?.attributes?.['service.name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * An OpenTelemetry SDK `SpanExporter` writing spantrail JSONL, for
 * applications that keep their OpenTelemetry pipeline and want spantrail's
 * files, reader and viewer:
 *
 * ```ts
 * new BasicTracerProvider({
 *   spanProcessors: [new BatchSpanProcessor(new JsonlSpanExporter('trace.jsonl'))],
 * });
 * ```
 *
 * The output opens at the first export, with a `meta` record naming the
 * spans' `service.name`; a span of another service writes a new `meta`
 * record first. OpenTelemetry's 16-hex span ids become the low half of
 * spantrail's 32-hex ids, and parents are written as 16-hex `parentId`s,
 * which the format resolves to them.
 */
class JsonlSpanExporter {
  public readonly target: OutputTarget;
  protected options: JsonlSpanExporterOptions;
  protected output: JsonlOutput | undefined;
  protected service: string | undefined;
  protected error: unknown;
  protected stopped = false;

  public constructor(
    target: OutputTarget,
    options: JsonlSpanExporterOptions = {},
  ) {
    this.target = target;
    try {
      // read once: the output opens later, with these
      this.options = { ...options };
    } catch {
      throw new TypeError('JsonlSpanExporter: options cannot be read');
    }
    const service = this.options.service;
    if (service != null && typeof service !== 'string') {
      throw new TypeError(
        `JsonlSpanExporter: service must be a string, got ${toText(service)}`,
      );
    }
  }

  /**
   * Writes `spans` and answers `resultCallback` once: SUCCESS when every
   * span was written, FAILED when the output failed (then and from then
   * on) or when some spans could not be read (a getter or Proxy that
   * throws, invalid ids or start time); those are left out, the others
   * written. Never throws.
   */
  public export(
    spans: Array<ReadableSpanLike>,
    resultCallback: (result: ExportResultLike) => void,
  ): void {
    const result = this.write(spans);
    if (typeof resultCallback === 'function') resultCallback(result);
  }

  protected write(spans: Array<ReadableSpanLike>): ExportResultLike {
    if (this.stopped) {
      return { code: 1, error: new Error('JsonlSpanExporter: shut down') };
    }
    // not an array (a string is not taken apart): one unreadable span
    let unwritten = 1;
    try {
      if (Array.isArray(spans)) {
        unwritten = 0;
        for (const span of spans) {
          if (!this.writeSpan(span)) unwritten++;
          if (this.error !== undefined || this.output?.isStopped === true) {
            break;
          }
        }
      }
    } catch {
      // a Proxy that throws
      unwritten++;
    }
    if (this.error !== undefined || this.output?.isStopped === true) {
      const error =
        this.error instanceof Error
          ? this.error
          : new Error('JsonlSpanExporter: the output failed', {
              cause: this.error,
            });
      return { code: 1, error };
    }
    if (unwritten > 0) {
      return {
        code: 1,
        error: new Error(
          `JsonlSpanExporter: ${unwritten} span(s) could not be read and were not written`,
        ),
      };
    }
    return { code: 0 };
  }

  /** Writes one span; false when it could not be read or written. */
  protected writeSpan(span: ReadableSpanLike): boolean {
    let service: string;
    let line: string | undefined;
    try {
      service = this.options.service ?? serviceOf(span) ?? 'unknown';
      line = readableSpanLine(span);
    } catch {
      // a getter or Proxy of the span threw
      return false;
    }
    if (line === undefined) return false;
    let output: JsonlOutput;
    try {
      output = this.open(service);
    } catch (e) {
      this.error ??= e;
      return false;
    }
    if (output.isStopped) return false;
    // One span per write: what does not fit the buffer is dropped and
    // counted span by span, and a batch larger than the buffer still goes
    // out in part.
    if (service === this.service) {
      output.write(line);
    } else {
      // With its span, so that no span lands under the previous service's
      // `meta` when only the `meta` record was dropped.
      const dropped = output.droppedTotal;
      output.write(metaLine(service) + line);
      if (output.droppedTotal === dropped) this.service = service;
    }
    return true;
  }

  public forceFlush(): Promise<void> {
    return this.output?.flush() ?? Promise.resolve();
  }

  public async shutdown(): Promise<void> {
    this.stopped = true;
    await this.output?.close();
  }

  protected open(service: string): JsonlOutput {
    if (this.output === undefined) {
      // the output writes its own `meta` record
      this.output = new JsonlOutput(this.target, {
        ...this.options,
        service,
        onError: (e) => {
          this.error ??= e;
          this.options.onError?.(e);
        },
      });
      this.service = service;
    }
    return this.output;
  }
}

export default JsonlSpanExporter;
export type { ReadableSpanLike, ExportResultLike, JsonlSpanExporterOptions };
