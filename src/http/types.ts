import type Tracer from '../Tracer.js';

/** Options of {@link instrumentHttp} and {@link instrumentFetch}. */
type HttpInstrumentationOptions = {
  /**
   * Keep query values in `url.full` / `url.query` (default false: each
   * value is replaced by `REDACTED`, keys stay). Credentials in a URL are
   * never recorded.
   */
  recordQuery?: boolean;
  /**
   * Request headers to record, by name, as `http.request.header.<name>`
   * (default none: headers are never recorded unless listed).
   */
  requestHeaders?: Array<string>;
  /** Response headers to record as `http.response.header.<name>`. */
  responseHeaders?: Array<string>;
  /**
   * Write `traceparent` / `tracestate` into outgoing requests (default
   * true).
   */
  propagate?: boolean;
};

/** Options of {@link instrumentHttp}. */
type InstrumentHttpOptions = HttpInstrumentationOptions & {
  /** Spans for outgoing `http`/`https` requests (default true). */
  client?: boolean;
  /** Spans for incoming requests of `http`/`https` servers (default true). */
  server?: boolean;
};

/** A running instrumentation; `uninstrument` stops it. */
type HttpInstrumentation = {
  readonly tracer: Tracer;
  uninstrument(): void;
};

export type {
  HttpInstrumentationOptions,
  InstrumentHttpOptions,
  HttpInstrumentation,
};
