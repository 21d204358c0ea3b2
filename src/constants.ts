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

/**
 * Attributes that count, on a span, the names, keys, event names and status
 * messages cut at `attributeValueLengthLimit`, and the times given to
 * `startTime`, `end`, `addEvent` that were invalid and replaced by now.
 */
const truncatedAttribute = 'spantrail.truncated';
const invalidTimeAttribute = 'spantrail.time.invalid';

/** Characters a JSONL output holds before it drops records. */
const defaultBufferSize = 4 * 1024 * 1024;

/** Buffered characters that trigger an immediate write, not a wait. */
const defaultHighWaterMark = 64 * 1024;

/** Longest wait before buffered records are written, in milliseconds. */
const defaultFlushInterval = 25;

/**
 * Longest wait, in milliseconds, of the last synchronous write at exit (or
 * on a signal) for a reader that does not read.
 */
const defaultExitTimeout = 2000;

/** Longest wait of an output's `close()`, in milliseconds. */
const defaultCloseTimeout = 5000;

/**
 * Started spans an output holds before writing `start` records for those
 * still open: bounds what it keeps alive when spans start and never end.
 */
const maxPendingStarts = 64;

/**
 * Defaults of the OTLP exporter: OpenTelemetry's batch processor defaults
 * (queue, batch, delay), and its exporter's timeout and retry policy.
 */
const otlpDefaults = {
  maxQueueSize: 2048,
  /** Estimated bytes of the queued spans (16 MiB). */
  maxQueueBytes: 16 * 1024 * 1024,
  maxBatchSize: 512,
  /** Milliseconds. */
  scheduledDelay: 5000,
  shutdownTimeout: 10_000,
  exportTimeout: 10_000,
  maxAttempts: 5,
  initialBackoff: 1000,
  maxBackoff: 5000,
  maxRetryAfter: 60_000,
} as const;

export {
  truncatedAttribute,
  invalidTimeAttribute,
  otlpDefaults,
  spanKindNames,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  formatVersion,
  defaultLimits,
  defaultBufferSize,
  defaultHighWaterMark,
  defaultFlushInterval,
  defaultExitTimeout,
  defaultCloseTimeout,
  maxPendingStarts,
};
