/** How spans are encoded on the wire. */
type OtlpEncoding = 'protobuf' | 'json';

/** Request body compression. */
type OtlpCompression = 'gzip' | 'none';

type OtlpHttpExporterOptions = {
  /**
   * The traces endpoint, used as is (e.g.
   * `http://127.0.0.1:4318/v1/traces`). Default: from
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT`
   * + `/v1/traces`, else `http://localhost:4318/v1/traces`.
   */
  url?: string;
  /** Extra request headers; default from `OTEL_EXPORTER_OTLP_HEADERS`. */
  headers?: Record<string, string>;
  /** Default `'protobuf'` (or `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). */
  encoding?: OtlpEncoding;
  /** Default `'gzip'` (or `OTEL_EXPORTER_OTLP_COMPRESSION`). */
  compression?: OtlpCompression;
  /** Spans waiting to be sent; more are dropped and counted (2048). */
  maxQueueSize?: number;
  /**
   * Estimated bytes of the spans waiting (their strings and a fixed cost
   * per span and value); more are dropped and counted (16 MiB).
   */
  maxQueueBytes?: number;
  /** Most spans per request (512). */
  maxBatchSize?: number;
  /** Longest wait before queued spans are sent, in milliseconds (5000). */
  scheduledDelay?: number;
  /** Time limit of one request, in milliseconds (10000). */
  exportTimeout?: number;
  /** Tries per batch, the first included (5). */
  maxAttempts?: number;
  /** First retry delay in milliseconds, doubled per retry (1000). */
  initialBackoff?: number;
  /** Longest retry delay in milliseconds, unless `Retry-After` asks (5000). */
  maxBackoff?: number;
  /** Longest `Retry-After` honoured, in milliseconds (60000). */
  maxRetryAfter?: number;
  /** Longest time `close()` waits for the last spans to go (10000). */
  shutdownTimeout?: number;
  /**
   * Resource attributes added to `service.name` and friends; default from
   * `OTEL_RESOURCE_ATTRIBUTES`.
   */
  resource?: Record<string, string | number | boolean>;
  /**
   * The service name of the resource; default: the service of the tracer
   * that made each span.
   */
  service?: string;
  /** Where `OTEL_*` settings are read from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Called when a batch is given up (after its retries, or at once for a
   * non-retryable answer) and when the queue starts overflowing.
   */
  onError?: (error: unknown) => void;
};

export type { OtlpEncoding, OtlpCompression, OtlpHttpExporterOptions };
