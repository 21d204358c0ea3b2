import type Span from '../Span.js';
import type { SpanAttributes, SpanProcessor } from '../types.js';
import type { OtlpKeyValue } from '../format/otlp.js';
import type {
  OtlpCompression,
  OtlpEncoding,
  OtlpHttpExporterOptions,
} from './types.js';
import { ErrorOtlpExport } from './errors.js';
import { batchToTracesData, resourceAttributes } from './mapping.js';
import { encodeTracesData } from './protobuf.js';
import { optionsFromEnv, urlFromTarget } from './env.js';
import { processHooks } from '../utils/platform.js';
import { toText } from '../utils/attributes.js';
import { isSpan } from '../Span.js';
import HttpTransport from './HttpTransport.js';
import { otlpDefaults } from '../constants.js';

// Exporters holding spans when the event loop runs dry flush them
// (`beforeExit` allows async work, and comes again once that work is done);
// `close()` is the way to wait for sure.
const live = processHooks<OtlpHttpExporter>('beforeExit', (exporter) =>
  exporter.flushAtExit(),
);

function positive(name: string, value: number, allowZero = false): number {
  if (typeof value !== 'number' || !(allowZero ? value >= 0 : value > 0)) {
    throw new TypeError(
      `${name}: must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${toText(value)}`,
    );
  }
  return value;
}

/**
 * The options read once, nested objects too: getters and Proxies run here,
 * and a `TypeError` says when they cannot be read.
 */
function readOptions(
  options: OtlpHttpExporterOptions,
): OtlpHttpExporterOptions {
  if (options == null || typeof options !== 'object') {
    throw new TypeError(
      `OtlpHttpExporter: options must be an object, got ${toText(options)}`,
    );
  }
  try {
    const o = { ...options };
    if (o.env != null) o.env = { ...o.env };
    if (o.headers != null) o.headers = { ...o.headers };
    if (o.resource != null) o.resource = { ...o.resource };
    return o;
  } catch {
    throw new TypeError('OtlpHttpExporter: options cannot be read');
  }
}

function isUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** Bytes a span costs beyond its strings: ids, times, structure. */
const spanOverhead = 256;

/**
 * An estimate of the bytes a queued span holds: its strings (two bytes a
 * character) and a fixed overhead per span, event, link and value. Bounds
 * the queue in bytes without serialising anything.
 */
function spanWeight(span: Span): number {
  let n =
    spanOverhead + 2 * span.name.length + attributesWeight(span.attributes);
  const events = span.events;
  if (events !== undefined) {
    for (const e of events) {
      n +=
        spanOverhead / 4 + 2 * e.name.length + attributesWeight(e.attributes);
    }
  }
  const links = span.links;
  if (links !== undefined) {
    for (const l of links)
      n += spanOverhead / 2 + attributesWeight(l.attributes);
  }
  if (span.status.message !== undefined) n += 2 * span.status.message.length;
  return n;
}

function attributesWeight(attributes: SpanAttributes | undefined): number {
  if (attributes === undefined) return 0;
  let n = 0;
  for (const key in attributes) {
    const v = attributes[key];
    n += 16 + 2 * key.length;
    if (typeof v === 'string') n += 2 * v.length;
    else if (Array.isArray(v)) {
      for (const x of v) n += typeof x === 'string' ? 16 + 2 * x.length : 16;
    }
  }
  return n;
}

/**
 * Sends spans to an OpenTelemetry collector or any OTLP/HTTP backend, as a
 * span processor of a {@link Tracer} (alone or beside JSONL outputs).
 *
 * Ended spans wait in a bounded queue; a batch goes when `maxBatchSize`
 * spans are waiting or `scheduledDelay` has passed, one request at a time,
 * in the background: `span.end()` only appends to an array. Answers 429,
 * 502, 503, 504 and network errors are retried with exponential backoff
 * (honouring `Retry-After`); other answers drop the batch. Spans that do
 * not fit in the queue are dropped and counted in `droppedSpans`. Nothing
 * here ever throws into the traced program.
 */
class OtlpHttpExporter implements SpanProcessor {
  public readonly url: string;
  public readonly encoding: OtlpEncoding;
  public readonly compression: OtlpCompression;
  public readonly headers: Readonly<Record<string, string>>;
  /** Spans the backend accepted. */
  public exportedSpans = 0;
  /** Spans dropped because the queue was full, or after `close()`. */
  public droppedSpans = 0;
  /** Spans given up after their retries or a non-retryable answer. */
  public failedSpans = 0;
  protected maxQueueSize: number;
  protected maxQueueBytes: number;
  /** Estimated bytes of the spans queued, and of each, in queue order. */
  protected queueBytes = 0;
  protected weights: Array<number> = [];
  protected maxBatchSize: number;
  protected scheduledDelay: number;
  protected shutdownTimeout: number;
  protected transport: HttpTransport;
  protected extraResource: Record<string, unknown>;
  protected service: string | undefined;
  protected onError: ((error: unknown) => void) | undefined;
  protected resources: Map<string, Array<OtlpKeyValue>> = new Map();
  protected queue: Array<Span> = [];
  /** Spans taken from the queue, and those whose export has finished. */
  protected taken = 0;
  protected settled = 0;
  protected flushUpTo = 0;
  protected waiters: Array<{ upTo: number; resolve: () => void }> = [];
  protected due = false;
  protected running: Promise<void> | undefined;
  protected timer: ReturnType<typeof setTimeout> | undefined;
  protected overflowing = false;
  protected stopped = false;
  /** The flush `beforeExit` started, while it runs. */
  protected exitFlush: Promise<void> | undefined;
  protected closing: Promise<void> | undefined;

  public constructor(options: OtlpHttpExporterOptions = {}) {
    const o = optionsFromEnv(readOptions(options));
    const url = o.url;
    if (!isUrl(url)) {
      throw new TypeError(`url: '${toText(url)}' is not a valid URL`);
    }
    if (o.service != null && typeof o.service !== 'string') {
      throw new TypeError(
        `service: must be a string, got ${toText(o.service)}`,
      );
    }
    if (
      o.encoding != null &&
      o.encoding !== 'protobuf' &&
      o.encoding !== 'json'
    ) {
      throw new TypeError(
        `encoding: expected 'protobuf' or 'json', got ${toText(o.encoding)}`,
      );
    }
    if (
      o.compression != null &&
      o.compression !== 'gzip' &&
      o.compression !== 'none'
    ) {
      throw new TypeError(
        `compression: expected 'gzip' or 'none', got ${toText(o.compression)}`,
      );
    }
    this.url = url;
    this.encoding = o.encoding ?? 'protobuf';
    this.compression = o.compression ?? 'gzip';
    this.headers = { ...o.headers };
    try {
      // what fetch would refuse at every attempt is refused now
      new Headers(this.headers);
    } catch (e) {
      throw new TypeError(
        `headers: ${toText((e as Error | undefined)?.message)}`,
      );
    }
    this.maxQueueSize = positive(
      'maxQueueSize',
      o.maxQueueSize ?? otlpDefaults.maxQueueSize,
    );
    this.maxQueueBytes = positive(
      'maxQueueBytes',
      o.maxQueueBytes ?? otlpDefaults.maxQueueBytes,
    );
    this.maxBatchSize = Math.min(
      positive('maxBatchSize', o.maxBatchSize ?? otlpDefaults.maxBatchSize),
      this.maxQueueSize,
    );
    this.scheduledDelay = positive(
      'scheduledDelay',
      o.scheduledDelay ?? otlpDefaults.scheduledDelay,
      true,
    );
    this.shutdownTimeout = positive(
      'shutdownTimeout',
      o.shutdownTimeout ?? otlpDefaults.shutdownTimeout,
      true,
    );
    this.transport = new HttpTransport({
      url,
      headers: this.headers,
      contentType:
        this.encoding === 'json'
          ? 'application/json'
          : 'application/x-protobuf',
      gzip: this.compression === 'gzip',
      timeout: positive(
        'exportTimeout',
        o.exportTimeout ?? otlpDefaults.exportTimeout,
      ),
      maxAttempts: positive(
        'maxAttempts',
        o.maxAttempts ?? otlpDefaults.maxAttempts,
      ),
      initialBackoff: positive(
        'initialBackoff',
        o.initialBackoff ?? otlpDefaults.initialBackoff,
        true,
      ),
      maxBackoff: positive(
        'maxBackoff',
        o.maxBackoff ?? otlpDefaults.maxBackoff,
        true,
      ),
      maxRetryAfter: positive(
        'maxRetryAfter',
        o.maxRetryAfter ?? otlpDefaults.maxRetryAfter,
        true,
      ),
    });
    this.extraResource = { ...o.resource };
    this.service = o.service;
    this.onError = o.onError;
    live.add(this);
  }

  /**
   * An exporter for an output string: `'otlp+http://host:port'`,
   * `'otlp+https://host/path'`, or `'otlp'` for the endpoint in the
   * environment.
   */
  public static fromTarget(
    target: string,
    options: OtlpHttpExporterOptions = {},
  ): OtlpHttpExporter {
    if (typeof target !== 'string') {
      throw new TypeError(
        `output: expected an OTLP output string, got ${toText(target)}`,
      );
    }
    const o = readOptions(options);
    return new OtlpHttpExporter({
      ...o,
      url: o.url ?? urlFromTarget(target, o.env),
    });
  }

  /** Requests sent again after a retryable failure. */
  public get retries(): number {
    return this.transport.retries;
  }

  /** Spans waiting to be sent. */
  public get queued(): number {
    return this.queue.length;
  }

  public onStart(): void {}

  /** Queues an ended span; ignores what is not an ended recording span. */
  public onEnd(span: Span): void {
    if (!isSpan(span) || span.duration < 0) return;
    if (this.stopped) {
      this.droppedSpans++;
      return;
    }
    const weight = spanWeight(span);
    if (
      this.queue.length >= this.maxQueueSize ||
      this.queueBytes + weight > this.maxQueueBytes
    ) {
      this.droppedSpans++;
      if (!this.overflowing) {
        this.overflowing = true;
        this.report(
          new ErrorOtlpExport(
            `OTLP export to ${this.url}: queue full (${this.maxQueueSize} spans or ${this.maxQueueBytes} bytes), dropping spans`,
            1,
          ),
        );
      }
      return;
    }
    this.queue.push(span);
    this.weights.push(weight);
    this.queueBytes += weight;
    if (this.queue.length >= this.maxBatchSize) this.pump();
    else if (this.timer === undefined && this.running === undefined) {
      this.schedule();
    }
  }

  /**
   * Sends every span queued now; resolves once each has been accepted or
   * given up. Never rejects.
   */
  public flush(): Promise<void> {
    const upTo = this.taken + this.queue.length;
    if (this.settled >= upTo) return Promise.resolve();
    this.flushUpTo = Math.max(this.flushUpTo, upTo);
    const done = new Promise<void>((resolve) =>
      this.waiters.push({ upTo, resolve }),
    );
    this.pump();
    return done;
  }

  /** HTTP cannot be waited on synchronously: this starts a flush. */
  public flushSync(): void {
    void this.flush();
  }

  /**
   * Sends what is queued, waiting at most `shutdownTimeout`, then stops:
   * requests still running are aborted and spans still queued are counted
   * as dropped. Later spans are dropped. Idempotent; never rejects.
   */
  public close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /**
   * @internal Called from every `beforeExit`. Spans ended while the exit
   * flush runs (or by later `beforeExit` listeners) go with the next one,
   * which comes once the loop is empty again.
   */
  public flushAtExit(): void {
    if (this.exitFlush !== undefined || this.queue.length === 0) return;
    this.exitFlush = this.flush().then(() => {
      this.exitFlush = undefined;
    });
  }

  protected async doClose(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.shutdownTimeout);
    });
    const timedOut = await Promise.race([
      this.flush().then(() => false),
      deadline,
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.droppedSpans += this.queue.length;
      this.queue = [];
      this.weights = [];
      this.queueBytes = 0;
      this.transport.abort();
      if (this.running !== undefined) await this.running;
    }
    live.delete(this);
    this.releaseWaiters(Infinity);
  }

  protected schedule(): void {
    this.timer = setTimeout(this.onTimer, this.scheduledDelay);
    // a pending batch must not keep the process alive
    (this.timer as any).unref?.();
  }

  protected onTimer = (): void => {
    this.timer = undefined;
    this.due = true;
    this.pump();
  };

  protected clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  protected pump(): void {
    if (this.running !== undefined) return;
    this.clearTimer();
    this.running = this.run().then(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.transport.aborted) {
        if (this.wantsToSend()) this.pump();
        else if (this.timer === undefined) this.schedule();
      }
    });
  }

  protected wantsToSend(): boolean {
    return (
      this.due ||
      this.queue.length >= this.maxBatchSize ||
      this.flushUpTo > this.taken
    );
  }

  protected async run(): Promise<void> {
    while (
      this.queue.length > 0 &&
      !this.transport.aborted &&
      this.wantsToSend()
    ) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      for (const w of this.weights.splice(0, batch.length)) {
        this.queueBytes -= w;
      }
      this.taken += batch.length;
      if (this.queue.length === 0) this.due = false;
      if (this.queue.length < this.maxQueueSize) this.overflowing = false;
      await this.exportBatch(batch);
      this.settled += batch.length;
      this.releaseWaiters(this.settled);
    }
    this.due = false;
  }

  /** Sends one batch with its retries. Never throws. */
  protected async exportBatch(batch: Array<Span>): Promise<void> {
    let body: Uint8Array;
    try {
      body = this.encode(batch);
    } catch (e) {
      this.fail(batch.length, 'encoding failed', undefined, e);
      return;
    }
    const r = await this.transport.deliver(body);
    if (r.ok) {
      this.exportedSpans += batch.length;
    } else {
      this.fail(
        batch.length,
        r.attempts === 0
          ? 'compression failed'
          : r.status === undefined
            ? `request failed after ${r.attempts} attempt(s)`
            : `HTTP ${r.status} after ${r.attempts} attempt(s)`,
        r.status,
        r.error,
      );
    }
  }

  protected encode(batch: Array<Span>): Uint8Array {
    const data = batchToTracesData(batch, (service) =>
      this.resourceFor(service),
    );
    return this.encoding === 'json'
      ? new TextEncoder().encode(JSON.stringify(data))
      : encodeTracesData(data);
  }

  protected resourceFor(service: string): Array<OtlpKeyValue> {
    const name = this.service ?? service;
    let attributes = this.resources.get(name);
    if (attributes === undefined) {
      attributes = resourceAttributes(name, this.extraResource);
      this.resources.set(name, attributes);
    }
    return attributes;
  }

  protected fail(
    spans: number,
    reason: string,
    status: number | undefined,
    cause: unknown,
  ): void {
    this.failedSpans += spans;
    this.report(
      new ErrorOtlpExport(
        `OTLP export to ${this.url}: ${reason}; ${spans} span(s) lost`,
        spans,
        status,
        { cause },
      ),
    );
  }

  protected report(error: unknown): void {
    try {
      this.onError?.(error);
    } catch {
      // a throwing handler must not break the exporter
    }
  }

  protected releaseWaiters(settled: number): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= settled) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }
}

export default OtlpHttpExporter;
