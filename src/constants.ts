/**
 * The role of a span in a trace, with OpenTelemetry's numbering.
 */
const SpanKind = {
  INTERNAL: 0,
  SERVER: 1,
  CLIENT: 2,
  PRODUCER: 3,
  CONSUMER: 4,
} as const;

/** Lower-case names of the span kinds, indexed by `SpanKind`. */
const spanKindNames: ReadonlyArray<string> = [
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

/**
 * The status of a span, with OpenTelemetry's numbering.
 */
const SpanStatusCode = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;

/**
 * W3C trace flags: bit 0 is "sampled".
 */
const TraceFlags = {
  NONE: 0,
  SAMPLED: 1,
} as const;

/** Version of the JSONL record format written by this library. */
const formatVersion = 1;

/** OpenTelemetry's default span limits, except the string length cap. */
const defaultLimits = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: 4096,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
} as const;

/** Characters a JSONL output holds before it drops records. */
const defaultBufferSize = 4 * 1024 * 1024;

/** Buffered characters that trigger an immediate write, not a wait. */
const defaultHighWaterMark = 64 * 1024;

/** Longest wait before buffered records are written, in milliseconds. */
const defaultFlushInterval = 25;

export {
  spanKindNames,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  formatVersion,
  defaultLimits,
  defaultBufferSize,
  defaultHighWaterMark,
  defaultFlushInterval,
};
