import protobuf from 'protobufjs';

/**
 * The OTLP trace messages, field numbers as in opentelemetry-proto
 * (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto). protobufjs decodes
 * with it; `protobuf.test.ts` first checks it against otlp-transformer's
 * official encoder, so it cannot silently mirror a mistake of ours.
 */
const otlpProto = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  string message = 2;
  enum StatusCode {
    STATUS_CODE_UNSET = 0;
    STATUS_CODE_OK = 1;
    STATUS_CODE_ERROR = 2;
  }
  StatusCode code = 3;
}
`;

const root = protobuf.parse(otlpProto, { keepCase: false }).root;
const ExportTraceServiceRequest = root.lookupType(
  'otlp.ExportTraceServiceRequest',
);

/**
 * Decodes a binary `ExportTraceServiceRequest` into OTLP/JSON's shape:
 * ids as lowercase hex, 64-bit numbers as decimal strings, enums as
 * numbers, defaults filled in.
 */
function decodeRequest(bytes: Uint8Array): any {
  const message = ExportTraceServiceRequest.decode(bytes);
  const object = ExportTraceServiceRequest.toObject(message, {
    longs: String,
    bytes: String,
    enums: Number,
    defaults: true,
    arrays: true,
    oneofs: false,
  });
  return convertIds(object, 'base64', 'hex');
}

/**
 * Converts the OTLP id fields (traceId, spanId, parentSpanId) of a decoded
 * message between protobufjs's base64 and OTLP/JSON's hex, either way.
 */
function convertIds(
  value: any,
  from: 'base64' | 'hex',
  to: 'base64' | 'hex',
): any {
  if (Array.isArray(value)) return value.map((v) => convertIds(v, from, to));
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    out[key] =
      /^(traceId|spanId|parentSpanId)$/.test(key) && typeof v === 'string'
        ? Buffer.from(v, from).toString(to)
        : convertIds(v, from, to);
  }
  return out;
}

/**
 * OTLP/JSON differs from protobuf's canonical JSON in one way: trace and
 * span ids are hex, not base64. Turn them into bytes for `fromObject`.
 */
function hexIdsToBytes(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => hexIdsToBytes(v));
  if (value != null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = hexIdsToBytes(v, k);
    return out;
  }
  if (
    typeof value === 'string' &&
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId')
  ) {
    return Buffer.from(value, 'hex');
  }
  return value;
}

/** Inverse of {@link hexIdsToBytes} on a decoded `toObject` result. */
function bytesIdsToHex(value: unknown, key?: string): unknown {
  if (value instanceof Uint8Array) {
    return key === 'traceId' || key === 'spanId' || key === 'parentSpanId'
      ? Buffer.from(value).toString('hex')
      : value;
  }
  if (Array.isArray(value)) return value.map((v) => bytesIdsToHex(v));
  if (value != null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bytesIdsToHex(v, k);
    return out;
  }
  return value;
}

export {
  otlpProto,
  ExportTraceServiceRequest,
  decodeRequest,
  convertIds,
  hexIdsToBytes,
  bytesIdsToHex,
};
