import type { SpanKind, SpanStatusCode } from './constants.js';
import type Span from './Span.js';

/** A value of {@link SpanKind}. */
type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

/** A value of {@link SpanStatusCode}. */
type SpanStatusCodeValue = (typeof SpanStatusCode)[keyof typeof SpanStatusCode];

type AttributeValue =
  string | number | boolean | Array<string> | Array<number> | Array<boolean>;

/**
 * Attributes as users pass them: anything goes in, and what cannot be
 * represented is converted or dropped (and counted), never thrown.
 */
type Attributes = Record<string, unknown>;

/** Attributes as stored and written: a plain JSON object. */
type SpanAttributes = Record<string, AttributeValue>;

/**
 * A point in time, as OpenTelemetry takes it: a `Date`, `[seconds, nanos]`
 * since the epoch, or a number of milliseconds: since the epoch, or a
 * `performance.now()` reading when below 1e11 (about 3 years).
 */
type TimeInput = number | Date | [number, number];

/**
 * What identifies a span across process boundaries. `spanId` is 32 hex
 * characters for spantrail spans and 16 for remote (W3C) ones.
 */
type SpanContext = {
  traceId: string;
  spanId: string;
  /** W3C trace flags; bit 0 is "sampled". Absent means sampled. */
  traceFlags?: number;
  /** W3C `tracestate`, kept verbatim. */
  traceState?: string;
  /** True when the context came from another process. */
  isRemote?: boolean;
};

type SpanStatus = {
  code: SpanStatusCodeValue;
  message?: string;
};

type SpanLink = {
  context: SpanContext;
  attributes?: Attributes;
};

type SpanEventRecord = {
  name: string;
  time: number;
  attributes?: SpanAttributes;
  dropped?: number;
};

type SpanLinkRecord = {
  traceId: string;
  spanId: string;
  attributes?: SpanAttributes;
  dropped?: number;
};

/** Where a span's parent comes from. `null` forces a new trace. */
/**
 * What a span record is written from: the fields of a {@link Span} that
 * format v1 holds. Spans and bridged OpenTelemetry spans both have them.
 */
type SpanData = {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindValue;
  /** Epoch microseconds. */
  readonly startTime: number;
  /** Nanoseconds; -1 while open. */
  readonly duration: number;
  readonly status: SpanStatus;
  readonly attributes: SpanAttributes | undefined;
  readonly events: Array<SpanEventRecord> | undefined;
  readonly links: Array<SpanLinkRecord> | undefined;
  readonly droppedAttributes: number;
  readonly droppedEvents: number;
  readonly droppedLinks: number;
};

type ParentInput = Span | SpanContext | null | undefined;

type SpanOptions = {
  /** The parent span or span context; default: the active span. */
  parent?: ParentInput;
  kind?: SpanKindValue;
  attributes?: Attributes;
  links?: Array<SpanLink>;
  startTime?: TimeInput;
};

type SpanLimits = {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
};

/**
 * Decides whether a new span records. Unsampled spans are non-recording and
 * their children follow them.
 */
interface Sampler {
  shouldSample(
    traceId: string,
    name: string,
    parent: SpanContext | undefined,
  ): boolean;
  toString(): string;
}

/**
 * Where the active span lives. `active` returns the span (or remote span
 * context) that new spans take as parent by default.
 */
interface ContextManager {
  active(): Span | SpanContext | undefined;
  /** Calls `fn` on `thisArg` with `args` while `span` is active. */
  with<R>(
    span: Span | SpanContext | undefined,
    fn: (...args: Array<any>) => R,
    thisArg?: unknown,
    args?: ArrayLike<unknown>,
  ): R;
  /** Returns `fn` bound to `span`, or to the context active now. */
  bind<F extends (...args: Array<any>) => any>(
    fn: F,
    span?: Span | SpanContext,
  ): F;
  /**
   * Optional: whether a span started now without an active span may have
   * lost its parent (the shim's heuristic). Such roots get the attribute
   * `spantrail.context.lost`.
   */
  lost?(): boolean;
  /**
   * Optional: makes `span` active for the rest of the current synchronous
   * execution and the async work it starts (`AsyncLocalStorage.enterWith`),
   * for events whose listeners cannot be wrapped, such as an HTTP server's
   * `request`. Without it, those listeners run with no active span.
   */
  enter?(span: Span | SpanContext | undefined): void;
}

/**
 * Receives spans as they start and end. JSONL outputs and exporters are
 * span processors; a tracer may have several.
 */
interface SpanProcessor {
  onStart(span: Span): void;
  onEnd(span: Span): void;
  /** Writes what is buffered; resolves when it has been handed on. */
  flush(): Promise<void>;
  /** Writes what is buffered before returning, where the destination can. */
  flushSync(): void;
  close(): Promise<void>;
}

/** A Node `stream.Writable`, described structurally to keep `node:` out. */
interface NodeWritableLike {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
  once(event: string, listener: (...args: Array<any>) => void): unknown;
  on(event: string, listener: (...args: Array<any>) => void): unknown;
  end?(cb?: () => void): unknown;
  writableNeedDrain?: boolean;
}

/**
 * Where JSONL goes: a path, `'stdout'` or `'-'`, `'stderr'`, `'fd:N'` or a
 * number, a Node writable, a WHATWG `WritableStream`, or a function called
 * with each chunk of lines.
 */
type OutputTarget =
  | string
  | number
  | NodeWritableLike
  | WritableStream<any>
  | ((chunk: string) => void);

/**
 * Options of the outputs a tracer opens from targets (`output: 'trace.jsonl'`
 * and the like); they belong to the output, and the tracer only passes them
 * on.
 */
type OutputOptions = {
  /** Service name, written into the `meta` record. */
  service?: string;
  /** Write a `start` record when a span starts (default true). */
  emitStart?: boolean;
  /**
   * Characters an output buffers before it drops records (default 4 Mi;
   * about bytes, as records are mostly ASCII).
   */
  bufferSize?: number;
  /** Write every record before `end()` returns (default false). */
  sync?: boolean;
  /** Longest wait before buffered records are written, in milliseconds. */
  flushInterval?: number;
  /**
   * Longest wait, in milliseconds, of the last synchronous write at exit or
   * on a signal for a pipe or fd whose reader does not read (default 2000).
   */
  exitTimeout?: number;
  /**
   * Longest wait of `close()`, in milliseconds, for the destination to take
   * what is buffered and to close (default 5000). What is left is reported
   * to `onError` as an `ErrorOutput` counting the unwritten characters.
   */
  closeTimeout?: number;
  /** Called with what goes wrong in the output; never throws into it. */
  onError?: (error: unknown) => void;
};

/** Opens a target that is not a span processor. */
type ProcessorFactory = (
  target: OutputTarget,
  options: OutputOptions,
) => SpanProcessor;

type TracerOptions = Omit<OutputOptions, 'onError'> & {
  /**
   * Where records go: span processors, or targets that the outputs open
   * (see {@link OutputTarget}, and OTLP URLs); several may be given.
   */
  output?: OutputTarget | SpanProcessor | Array<OutputTarget | SpanProcessor>;
  sampler?: Sampler;
  limits?: Partial<SpanLimits>;
  /** `'als'`, `'shim'`, or a custom context manager; default: detected. */
  context?: 'als' | 'shim' | ContextManager;
};

/** Callbacks a sink uses to tell its output about the destination. */
type SinkEvents = {
  /** The destination has room again after `write` returned false. */
  drain: () => void;
  /** The destination is broken; the output stops. */
  fail: (error: unknown) => void;
};

/**
 * The destination end of a JSONL output: it only moves bytes. Buffering,
 * bounds and drop counting live in the output.
 */
interface Sink {
  /**
   * Hands `chunk` on. Returns false when the destination is full: the sink
   * keeps the chunk and calls `drain` once there is room. Throws when the
   * destination is broken.
   */
  write(chunk: string): boolean;
  /** Writes `chunk`, and anything still held, before returning. */
  writeSync(chunk: string): void;
  close(): void | Promise<void>;
  /** What the sink holds back from a full destination, if it can tell. */
  held?(): number;
  /** Whether it holds bytes the destination took none of for a while. */
  stalled?(): boolean;
  /** Tries the held bytes once now, without waiting. */
  retry?(): void;
}

/** Options of a {@link JsonlOutput}; `onError` is called once, when the
 * destination fails and the output stops. */
type JsonlOutputOptions = OutputOptions;

export type {
  OutputOptions,
  ProcessorFactory,
  SpanData,
  SpanKindValue,
  SpanStatusCodeValue,
  AttributeValue,
  Attributes,
  SpanAttributes,
  TimeInput,
  SpanContext,
  SpanStatus,
  SpanLink,
  SpanEventRecord,
  SpanLinkRecord,
  ParentInput,
  SpanOptions,
  SpanLimits,
  Sampler,
  ContextManager,
  SpanProcessor,
  NodeWritableLike,
  OutputTarget,
  TracerOptions,
  JsonlOutputOptions,
  SinkEvents,
  Sink,
};
