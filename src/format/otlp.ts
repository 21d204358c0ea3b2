/**
 * Mapping of spantrail spans to OTLP/JSON `TracesData` (the shape the
 * OpenTelemetry collector's file exporter writes, and the body of an
 * OTLP/HTTP JSON `ExportTraceServiceRequest`).
 *
 * Shared by `spantrail convert --to otlp` and the OTLP exporter, so both
 * emit identical data:
 * - ids are hex; the OTLP span id is the low 8 bytes (last 16 hex) of a
 *   spantrail span id, and a 16-hex `parentId` is used as is;
 * - times are decimal strings of epoch nanoseconds;
 * - `kind` is spantrail's + 1 (OTLP reserves 0 for UNSPECIFIED); status
 *   codes are equal;
 * - attribute values are typed `AnyValue`s, integers as `intValue` strings.
 */
import type {
  AttributeValue,
  Attributes,
  MetaRecord,
  SpanRecord,
} from './types.js';
import { w3cSpanId } from '../utils/ids.js';
import { isAttrValue } from './values.js';

type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: Array<OtlpAnyValue> } };

type OtlpKeyValue = { key: string; value: OtlpAnyValue };

type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<OtlpKeyValue>;
  droppedAttributesCount: number;
  events: Array<{
    timeUnixNano: string;
    name: string;
    attributes: Array<OtlpKeyValue>;
    droppedAttributesCount: number;
  }>;
  droppedEventsCount: number;
  links: Array<{
    traceId: string;
    spanId: string;
    attributes: Array<OtlpKeyValue>;
    droppedAttributesCount: number;
    flags: number;
  }>;
  droppedLinksCount: number;
  status: { code: number; message?: string };
};

type OtlpTracesData = {
  resourceSpans: Array<{
    resource: {
      attributes: Array<OtlpKeyValue>;
      droppedAttributesCount: number;
    };
    scopeSpans: Array<{
      scope: { name: string; version?: string };
      spans: Array<OtlpSpan>;
    }>;
  }>;
};

/** What the mapping reads of a span: a `span` record or a model node. */
type OtlpSpanInput = Omit<SpanRecord, 'type'>;

/** The process a group of spans came from (a `meta` record's fields). */
type OtlpResourceInput = Partial<
  Pick<MetaRecord, 'service' | 'pid' | 'host' | 'runtime' | 'runtimeVersion'>
>;

type OtlpOptions = {
  /** Instrumentation scope name; default `spantrail`. */
  scopeName?: string;
  scopeVersion?: string;
};

/**
 * Low 8 bytes of a spantrail id: the OTLP/W3C span id; empty for what is
 * not a string.
 */
function otlpSpanId(id: string): string {
  return typeof id === 'string' ? w3cSpanId(id) : '';
}

/** Epoch microseconds (+ nanoseconds) as an exact decimal nanosecond string. */
function nanos(micros: number, plusNanos: number = 0): string {
  return (
    BigInt(Math.trunc(micros)) * 1000n +
    BigInt(Math.trunc(plusNanos))
  ).toString();
}

function anyValue(v: AttributeValue | string | number | boolean): OtlpAnyValue {
  if (Array.isArray(v)) {
    return {
      arrayValue: {
        values: (v as Array<string | number | boolean>).map((x) => anyValue(x)),
      },
    };
  }
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    default:
      // int64 only for integers it can hold exactly; others are doubles.
      return Number.isSafeInteger(v)
        ? { intValue: String(v) }
        : { doubleValue: v as number };
  }
}

/**
 * Converts attributes to OTLP `KeyValue`s, in key order as written. Never
 * throws: what is not an attribute value (a string, a finite number, a
 * boolean, or an array of one of them) is left out, and so is what cannot
 * be read.
 */
function toOtlpAttributes(
  attributes: Attributes | undefined,
): Array<OtlpKeyValue> {
  const out: Array<OtlpKeyValue> = [];
  if (attributes == null) return out;
  try {
    for (const key of Object.keys(attributes)) {
      const value: unknown = attributes[key];
      if (isAttrValue(value)) out.push({ key, value: anyValue(value) });
    }
  } catch {
    // a Proxy or getter that throws: what was read before is kept
  }
  return out;
}

/**
 * Runs a mapping of records: what is not a record of the format (a value
 * that cannot be read, a time that is not a number) throws a `TypeError`.
 */
function mapRecord<T, A>(what: string, f: (arg: A) => T, arg: A): T {
  try {
    return f(arg);
  } catch (e) {
    throw new TypeError(`${what}: not a record of format v1`, { cause: e });
  }
}

/**
 * Converts one span to an OTLP/JSON `Span`. Throws a `TypeError` when
 * `span` is not a span record (as `parseLine` returns them).
 */
function toOtlpSpan(span: OtlpSpanInput): OtlpSpan {
  return mapRecord('toOtlpSpan', spanToOtlp, span);
}

function spanToOtlp(span: OtlpSpanInput): OtlpSpan {
  // Flags: bit 0 sampled (everything written was recorded); 0x100 says the
  // parent's remoteness is known, 0x200 that it is remote (a 16-hex parent).
  const remote = span.parentId != null && span.parentId.length === 16;
  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: otlpSpanId(span.spanId),
    flags: 0x101 | (remote ? 0x200 : 0),
    name: span.name,
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.startTime, span.duration),
    attributes: toOtlpAttributes(span.attributes),
    droppedAttributesCount: span.dropped?.attributes ?? 0,
    events: span.events.map((e) => ({
      timeUnixNano: nanos(e.time),
      name: e.name,
      attributes: toOtlpAttributes(e.attributes),
      droppedAttributesCount: e.dropped ?? 0,
    })),
    droppedEventsCount: span.dropped?.events ?? 0,
    links: span.links.map((l) => ({
      traceId: l.traceId,
      spanId: otlpSpanId(l.spanId),
      attributes: toOtlpAttributes(l.attributes),
      droppedAttributesCount: l.dropped ?? 0,
      flags: 0x101,
    })),
    droppedLinksCount: span.dropped?.links ?? 0,
    status: { code: span.status.code },
  };
  if (span.parentId != null) out.parentSpanId = otlpSpanId(span.parentId);
  if (span.status.message != null && span.status.message !== '') {
    out.status.message = span.status.message;
  }
  return out;
}

/**
 * OTLP resource attributes for a process. Throws a `TypeError` when
 * `resource` cannot be read.
 */
function toOtlpResource(
  resource: OtlpResourceInput | undefined,
): OtlpTracesData['resourceSpans'][number]['resource'] {
  return mapRecord('toOtlpResource', resourceToOtlp, resource);
}

function resourceToOtlp(
  resource: OtlpResourceInput | undefined,
): OtlpTracesData['resourceSpans'][number]['resource'] {
  const attrs: Array<OtlpKeyValue> = [
    {
      key: 'service.name',
      value: { stringValue: resource?.service || 'unknown_service' },
    },
  ];
  if (resource?.pid != null) {
    attrs.push({
      key: 'process.pid',
      value: { intValue: String(resource.pid) },
    });
  }
  if (resource?.host != null) {
    attrs.push({ key: 'host.name', value: { stringValue: resource.host } });
  }
  if (resource?.runtime != null && resource.runtime !== '') {
    attrs.push({
      key: 'process.runtime.name',
      value: { stringValue: resource.runtime },
    });
  }
  if (resource?.runtimeVersion != null) {
    attrs.push({
      key: 'process.runtime.version',
      value: { stringValue: resource.runtimeVersion },
    });
  }
  return { attributes: attrs, droppedAttributesCount: 0 };
}

/**
 * Builds OTLP/JSON `TracesData`: one `resourceSpans` per group (process),
 * each with one `scopeSpans` holding its spans. Throws a `TypeError` when
 * a group, a span or the options cannot be read.
 */
function toOtlpTracesData(
  groups: Iterable<{
    resource?: OtlpResourceInput;
    spans: Iterable<OtlpSpanInput>;
  }>,
  options: OtlpOptions = {},
): OtlpTracesData {
  return mapRecord(
    'toOtlpTracesData',
    () => groupsToOtlp(groups, options),
    undefined,
  );
}

function groupsToOtlp(
  groups: Iterable<{
    resource?: OtlpResourceInput;
    spans: Iterable<OtlpSpanInput>;
  }>,
  options: OtlpOptions,
): OtlpTracesData {
  const scope: { name: string; version?: string } = {
    name: options.scopeName ?? 'spantrail',
  };
  if (options.scopeVersion != null) scope.version = options.scopeVersion;
  const data: OtlpTracesData = { resourceSpans: [] };
  for (const group of groups) {
    const spans = [...group.spans].map(spanToOtlp);
    if (spans.length === 0) continue;
    data.resourceSpans.push({
      resource: resourceToOtlp(group.resource),
      scopeSpans: [{ scope: { ...scope }, spans }],
    });
  }
  return data;
}

export {
  toOtlpTracesData,
  toOtlpSpan,
  toOtlpResource,
  toOtlpAttributes,
  otlpSpanId,
};
export type {
  OtlpTracesData,
  OtlpSpan,
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpSpanInput,
  OtlpResourceInput,
  OtlpOptions,
};
