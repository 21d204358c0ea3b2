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
  SpanStatus,
} from '../types.js';
import { SpanStatusCode } from '../constants.js';
import JsonlOutput from '../output/JsonlOutput.js';
import { metaLine, spanLine } from '../format/writer.js';
import { sanitizeAttributes, toText } from '../utils/attributes.js';
import { kindOf, statusCodeOf } from '../utils/codes.js';
import { sortableTick } from '../IdGenerator.js';

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

function epochMicros(t: HrTime): number {
  return t[0] * 1e6 + Math.floor(t[1] / 1e3);
}

function nanos(t: HrTime): number {
  return t[0] * 1e9 + t[1];
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

/** The `span` record of a finished OpenTelemetry span, with its newline. */
function readableSpanLine(span: ReadableSpanLike): string {
  const sc = span.spanContext();
  const startTime = epochMicros(span.startTime);
  const parentId = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const attrs = sanitizeAttributes(span.attributes, noLimit, noLimit);
  const attributes: SpanAttributes = attrs.attributes ?? {};
  const scope = span.instrumentationScope;
  if (
    scope != null &&
    scope.name !== '' &&
    !('otel.scope.name' in attributes)
  ) {
    attributes['otel.scope.name'] = scope.name;
    if (scope.version != null && scope.version !== '') {
      attributes['otel.scope.version'] = scope.version;
    }
  }
  // the SDK checks neither the kind nor the status code
  const code = statusCodeOf(span.status?.code);
  const status: SpanStatus =
    code === SpanStatusCode.ERROR && span.status.message != null
      ? { code, message: toText(span.status.message) }
      : { code };
  return spanLine({
    traceId: sc.traceId,
    spanId: spantrailSpanId(sc.spanId, startTime),
    parentId: parentId != null && parentId !== '' ? parentId : undefined,
    name: span.name,
    kind: kindOf(span.kind),
    startTime,
    duration: Math.max(0, nanos(span.duration)),
    status,
    attributes,
    events: span.events.map((e) => {
      const event: SpanEventRecord = {
        name: e.name,
        time: epochMicros(e.time),
      };
      const a = sanitizeAttributes(e.attributes, noLimit, noLimit);
      if (a.attributes !== undefined) event.attributes = a.attributes;
      const dropped = (e.droppedAttributesCount ?? 0) + a.dropped;
      if (dropped > 0) event.dropped = dropped;
      return event;
    }),
    links: span.links.map((l) => {
      const link: SpanLinkRecord = {
        traceId: l.context.traceId,
        spanId: l.context.spanId,
      };
      const a = sanitizeAttributes(l.attributes, noLimit, noLimit);
      if (a.attributes !== undefined) link.attributes = a.attributes;
      const dropped = (l.droppedAttributesCount ?? 0) + a.dropped;
      if (dropped > 0) link.dropped = dropped;
      return link;
    }),
    droppedAttributes: (span.droppedAttributesCount ?? 0) + attrs.dropped,
    droppedEvents: span.droppedEventsCount ?? 0,
    droppedLinks: span.droppedLinksCount ?? 0,
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
    this.options = options;
  }

  public export(
    spans: Array<ReadableSpanLike>,
    resultCallback: (result: ExportResultLike) => void,
  ): void {
    if (this.stopped) {
      resultCallback({
        code: 1,
        error: new Error('JsonlSpanExporter: shut down'),
      });
      return;
    }
    try {
      for (const span of spans) {
        const service = this.options.service ?? serviceOf(span) ?? 'unknown';
        const output = this.open(service);
        if (output.isStopped) break;
        // One span per write: what does not fit the buffer is dropped and
        // counted span by span, and a batch larger than the buffer still
        // goes out in part.
        const line = readableSpanLine(span);
        if (service === this.service) {
          output.write(line);
        } else {
          // With its span, so that no span lands under the previous
          // service's `meta` when only the `meta` record was dropped.
          const dropped = output.droppedTotal;
          output.write(metaLine(service) + line);
          if (output.droppedTotal === dropped) this.service = service;
        }
      }
    } catch (e) {
      this.error ??= e;
    }
    if (this.error !== undefined || this.output?.isStopped === true) {
      const error =
        this.error instanceof Error
          ? this.error
          : new Error('JsonlSpanExporter: the output failed', {
              cause: this.error,
            });
      resultCallback({ code: 1, error });
      return;
    }
    resultCallback({ code: 0 });
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
