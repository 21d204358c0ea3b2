/**
 * OTLP/JSON `TracesData` (the shape `spantrail convert --to otlp` writes)
 * encoded as a protobuf `ExportTraceServiceRequest`, so both encodings come
 * from one mapping. Field numbers are those of opentelemetry-proto's
 * `collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`,
 * `common/v1/common.proto` and `resource/v1/resource.proto`.
 */
import type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpSpan,
  OtlpTracesData,
} from '../format/otlp.js';
import ProtobufWriter, { WireType } from './ProtobufWriter.js';

const { VARINT, FIXED64, LEN, FIXED32 } = WireType;

/** A span as the exporter maps it: the shared mapping plus `traceState`. */
type OtlpExportSpan = OtlpSpan & { traceState?: string };

function writeAnyValue(w: ProtobufWriter, value: OtlpAnyValue): void {
  // oneof members are written even when they hold the default value
  if ('stringValue' in value) w.tag(1, LEN).string(value.stringValue);
  else if ('boolValue' in value)
    w.tag(2, VARINT).uint32(value.boolValue ? 1 : 0);
  else if ('intValue' in value) w.tag(3, VARINT).int64(Number(value.intValue));
  else if ('doubleValue' in value) w.tag(4, FIXED64).double(value.doubleValue);
  else if ('arrayValue' in value) {
    w.tag(5, LEN).fork();
    for (const v of value.arrayValue.values) {
      w.tag(1, LEN).fork();
      writeAnyValue(w, v);
      w.join();
    }
    w.join();
  }
}

function writeKeyValues(
  w: ProtobufWriter,
  field: number,
  attributes: Array<OtlpKeyValue>,
): void {
  for (const kv of attributes) {
    w.tag(field, LEN).fork();
    w.tag(1, LEN).string(kv.key);
    w.tag(2, LEN).fork();
    writeAnyValue(w, kv.value);
    w.join();
    w.join();
  }
}

function writeCount(w: ProtobufWriter, field: number, n: number): void {
  if (n > 0) w.tag(field, VARINT).uint32(n);
}

function writeSpan(w: ProtobufWriter, span: OtlpExportSpan): void {
  w.tag(1, LEN).hexBytes(span.traceId);
  w.tag(2, LEN).hexBytes(span.spanId);
  if (span.traceState != null && span.traceState !== '') {
    w.tag(3, LEN).string(span.traceState);
  }
  if (span.parentSpanId != null && span.parentSpanId !== '') {
    w.tag(4, LEN).hexBytes(span.parentSpanId);
  }
  if (span.name !== '') w.tag(5, LEN).string(span.name);
  if (span.kind !== 0) w.tag(6, VARINT).uint32(span.kind);
  w.tag(7, FIXED64).fixed64(span.startTimeUnixNano);
  w.tag(8, FIXED64).fixed64(span.endTimeUnixNano);
  writeKeyValues(w, 9, span.attributes);
  writeCount(w, 10, span.droppedAttributesCount);
  for (const e of span.events) {
    w.tag(11, LEN).fork();
    w.tag(1, FIXED64).fixed64(e.timeUnixNano);
    if (e.name !== '') w.tag(2, LEN).string(e.name);
    writeKeyValues(w, 3, e.attributes);
    writeCount(w, 4, e.droppedAttributesCount);
    w.join();
  }
  writeCount(w, 12, span.droppedEventsCount);
  for (const l of span.links) {
    w.tag(13, LEN).fork();
    w.tag(1, LEN).hexBytes(l.traceId);
    w.tag(2, LEN).hexBytes(l.spanId);
    writeKeyValues(w, 4, l.attributes);
    writeCount(w, 5, l.droppedAttributesCount);
    if (l.flags !== 0) w.tag(6, FIXED32).fixed32(l.flags);
    w.join();
  }
  writeCount(w, 14, span.droppedLinksCount);
  // always present, as OpenTelemetry's encoders write it
  const status = span.status;
  w.tag(15, LEN).fork();
  if (status.message != null && status.message !== '') {
    w.tag(2, LEN).string(status.message);
  }
  if (status.code !== 0) w.tag(3, VARINT).uint32(status.code);
  w.join();
  if (span.flags !== 0) w.tag(16, FIXED32).fixed32(span.flags);
}

/**
 * Encodes `data` as a binary `ExportTraceServiceRequest` (its only field,
 * `resource_spans = 1`, is the same as `TracesData`'s).
 */
function encodeTracesData(data: OtlpTracesData): Uint8Array {
  const w = new ProtobufWriter();
  for (const rs of data.resourceSpans) {
    w.tag(1, LEN).fork();
    w.tag(1, LEN).fork();
    writeKeyValues(w, 1, rs.resource.attributes);
    writeCount(w, 2, rs.resource.droppedAttributesCount);
    w.join();
    for (const ss of rs.scopeSpans) {
      w.tag(2, LEN).fork();
      w.tag(1, LEN).fork();
      if (ss.scope.name !== '') w.tag(1, LEN).string(ss.scope.name);
      if (ss.scope.version != null && ss.scope.version !== '') {
        w.tag(2, LEN).string(ss.scope.version);
      }
      w.join();
      for (const span of ss.spans) {
        w.tag(2, LEN).fork();
        writeSpan(w, span);
        w.join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish().slice();
}

export { encodeTracesData };
export type { OtlpExportSpan };
