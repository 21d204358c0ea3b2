import type Span from '../Span.js';
import type {
  JsonlOutputOptions,
  NodeWritableLike,
  OutputTarget,
  Sink,
  SinkEvents,
  SpanData,
  SpanProcessor,
} from '../types.js';
import FdSink from './FdSink.js';
import FunctionSink from './FunctionSink.js';
import StreamSink from './StreamSink.js';
import WebStreamSink from './WebStreamSink.js';
import {
  appendSpanLine,
  appendStartLine,
  droppedLine,
  metaLine,
  spanLine,
  startLine,
} from '../format/writer.js';
import { ErrorOutput } from './errors.js';
import {
  defaultBufferSize,
  defaultCloseTimeout,
  defaultExitTimeout,
  defaultFlushInterval,
  defaultHighWaterMark,
  maxPendingStarts,
} from '../constants.js';
import { exitHooks } from '../utils/signals.js';
import { toText } from '../utils/attributes.js';
import { isSpan } from '../Span.js';

// Outputs that may still hold records when the process exits: written
// synchronously from one `exit` listener, which also runs for
// process.exit() and uncaught exceptions, and on SIGTERM, SIGINT and SIGHUP
// when the program does not handle them itself.
const live = exitHooks<JsonlOutput>((output) => output.flushSync());

// A span the constructor formats once and throws away: the writer's code
// is compiled then, not on the traced program's first span.
const probeSpan: SpanData = {
  traceId: '0'.repeat(32),
  spanId: '0'.repeat(32),
  parentId: undefined,
  name: 'spantrail.probe',
  kind: 0,
  // an epoch time, formatted twice: the writer's kept pieces are made then
  startTime: Date.now() * 1000,
  duration: 0,
  status: { code: 0 },
  attributes: undefined,
  events: undefined,
  links: undefined,
  droppedAttributes: 0,
  droppedEvents: 0,
  droppedLinks: 0,
};

/** Whether `target` has functions named `names`. Never throws. */
function hasMethods(target: unknown, names: Array<string>): boolean {
  if (typeof target !== 'object' || target === null) return false;
  try {
    for (const name of names) {
      if (typeof (target as Record<string, unknown>)[name] !== 'function') {
        return false;
      }
    }
    return true;
  } catch {
    // a Proxy or getter that throws is no destination
    return false;
  }
}

function isNodeWritable(target: unknown): target is NodeWritableLike {
  return hasMethods(target, ['write', 'on']);
}

function isWebWritable(target: unknown): target is WritableStream {
  return hasMethods(target, ['getWriter']);
}

/**
 * The options' own fields, read once; a `TypeError` when they cannot be
 * read, or `service` is not a string.
 */
function readOptions(options: JsonlOutputOptions): JsonlOutputOptions {
  if (options == null || typeof options !== 'object') {
    throw new TypeError(
      `JsonlOutput: options must be an object, got ${toText(options)}`,
    );
  }
  let o: JsonlOutputOptions;
  try {
    o = {
      service: options.service,
      emitStart: options.emitStart,
      bufferSize: options.bufferSize,
      sync: options.sync,
      flushInterval: options.flushInterval,
      exitTimeout: options.exitTimeout,
      closeTimeout: options.closeTimeout,
      onError: options.onError,
    };
  } catch {
    throw new TypeError('JsonlOutput: options cannot be read');
  }
  if (o.service != null && typeof o.service !== 'string') {
    throw new TypeError(`service: must be a string, got ${toText(o.service)}`);
  }
  return o;
}

/** A stream sink, or the documented error when the stream cannot be used. */
function streamSink(make: () => Sink): Sink {
  try {
    return make();
  } catch (e) {
    throw new ErrorOutput(
      `output: the stream cannot be written: ${errorText(e)}`,
      { target: 'stream', cause: e },
    );
  }
}

/** An error's message, or the placeholder. Never throws. */
function errorText(e: unknown): string {
  try {
    return toText((e as Error).message);
  } catch {
    return toText(e);
  }
}

function timeoutOption(name: string, value: unknown, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new TypeError(
      `${name}: must be a non-negative number of milliseconds, got ${toText(value)}`,
    );
  }
  return value;
}

function describeTarget(target: OutputTarget): string {
  if (typeof target === 'string') return target;
  if (typeof target === 'number') return `fd:${target}`;
  return typeof target === 'function' ? 'function' : 'stream';
}

function parseFd(target: string): number | undefined {
  if (target === 'stdout' || target === '-') return 1;
  if (target === 'stderr') return 2;
  const m = /^fd:(\d+)$/.exec(target);
  return m == null ? undefined : Number(m[1]);
}

function createSink(
  target: OutputTarget,
  events: SinkEvents,
  exitTimeout: number,
): Sink {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0) {
      throw new TypeError(`output: ${target} is not a file descriptor`);
    }
    return FdSink.fromFd(target, events, exitTimeout);
  }
  if (typeof target === 'string') {
    if (target === '') throw new TypeError('output: empty string');
    const fd = parseFd(target);
    if (fd !== undefined) return FdSink.fromFd(fd, events, exitTimeout);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || /^fd:/.test(target)) {
      throw new TypeError(
        `output: '${target}' is not a known destination (a path, 'stdout', '-', 'stderr' or 'fd:N')`,
      );
    }
    return FdSink.open(target, events, exitTimeout);
  }
  if (typeof target === 'function') return new FunctionSink(target);
  if (isNodeWritable(target)) {
    return streamSink(() => new StreamSink(target, events));
  }
  if (isWebWritable(target)) {
    return streamSink(() => new WebStreamSink(target, events));
  }
  throw new TypeError(`output: unsupported destination ${toText(target)}`);
}

/**
 * Streams spans as JSON lines: a `span` record when a span ends and, for a
 * span still open when a batch is written, a `start` record in that batch,
 * so a crash or hang still shows what was in flight (with `sync`, every
 * `start` is written at once). Records are batched into one write per
 * interval or per 64 KiB; the buffer is bounded, and what does not fit is
 * dropped, counted, and reported by a `dropped` record once there is room.
 * A failing destination stops the output and is reported once; the traced
 * program never sees the error.
 */
class JsonlOutput implements SpanProcessor {
  /** Records lost to overflow since the last `dropped` record. */
  public dropped = 0;
  /** Records lost to overflow in all. */
  public droppedTotal = 0;
  protected sink: Sink;
  protected buffer = '';
  protected bufferSize: number;
  protected sync: boolean;
  protected emitStart: boolean;
  /**
   * Spans started since their starts were last written out: a `start`
   * record is only needed for a span still open when its batch leaves.
   */
  protected started: Array<Span> = [];
  protected flushInterval: number;
  protected closeTimeout: number;
  protected target: OutputTarget;
  protected onError: ((error: unknown) => void) | undefined;
  /** The sink said it is full: hold everything until it drains. */
  protected waiting = false;
  /** Buffer length at which a full sink is tried again. */
  protected retryAt = defaultHighWaterMark;
  protected stopped = false;
  protected timer: ReturnType<typeof setTimeout> | undefined;
  protected waiters: Array<() => void> = [];
  protected closing: Promise<void> | undefined;

  public constructor(
    target: OutputTarget,
    outputOptions: JsonlOutputOptions = {},
  ) {
    const options = readOptions(outputOptions);
    const bufferSize = options.bufferSize ?? defaultBufferSize;
    if (typeof bufferSize !== 'number' || !(bufferSize > 0)) {
      throw new TypeError(
        `bufferSize: must be a positive number of characters, got ${toText(bufferSize)}`,
      );
    }
    const flushInterval = options.flushInterval ?? defaultFlushInterval;
    if (typeof flushInterval !== 'number' || !(flushInterval >= 0)) {
      throw new TypeError(
        `flushInterval: must be a non-negative number of milliseconds, got ${toText(flushInterval)}`,
      );
    }
    const exitTimeout = timeoutOption(
      'exitTimeout',
      options.exitTimeout,
      defaultExitTimeout,
    );
    this.closeTimeout = timeoutOption(
      'closeTimeout',
      options.closeTimeout,
      defaultCloseTimeout,
    );
    this.target = target;
    this.bufferSize = bufferSize;
    this.flushInterval = flushInterval;
    this.sync = options.sync === true;
    this.emitStart = options.emitStart ?? true;
    this.onError = options.onError;
    this.sink = createSink(
      target,
      {
        drain: () => this.drain(),
        fail: (e) => this.fail(e),
      },
      exitTimeout,
    );
    live.add(this);
    // buffered, not written: a failure must reach listeners added after
    // the constructor returns
    this.buffer = metaLine(options.service ?? 'unknown');
    for (let i = 0; i < 2; i++) {
      startLine(probeSpan);
      spanLine(probeSpan);
    }
    this.scheduleFlush();
  }

  /** Whether the destination failed and the output stopped. */
  public get isStopped(): boolean {
    return this.stopped;
  }

  /** Notes a started span; ignores what is not an open spantrail span. */
  public onStart(span: Span): void {
    if (!this.emitStart || !isSpan(span) || span.isEnded()) return;
    if (this.sync) {
      this.write(startLine(span));
      return;
    }
    // no record yet: most spans end within their batch and need none
    if (this.started.length >= maxPendingStarts) {
      const starts = this.startLines();
      if (starts !== '') this.write(starts);
    }
    this.started.push(span);
    this.scheduleFlush();
  }

  /** Writes an ended span; ignores what is not an ended recording span. */
  public onEnd(span: Span): void {
    if (!isSpan(span) || span.duration < 0) return;
    // spans mostly end last-started-first: dropping the one that ended from
    // the pending starts keeps it from outliving its call
    const started = this.started;
    if (started.length > 0 && started[started.length - 1] === span) {
      started.pop();
    }
    if (this.stopped) return;
    if (this.dropped > 0) this.reportDropped();
    // the record is built onto the batch, which keeps it if it fits
    let buffer: string | undefined;
    try {
      buffer = appendSpanLine(this.buffer, span);
    } catch {
      // longer than the longest string the runtime makes: it does not fit
    }
    if (this.keep(buffer)) this.appended();
  }

  /** `start` records of the pending spans that are still open. */
  protected startLines(): string {
    const started = this.started;
    this.started = [];
    let lines = '';
    for (let i = 0; i < started.length; i++) {
      if (!started[i].isEnded()) lines = appendStartLine(lines, started[i]);
    }
    return lines;
  }

  /**
   * @internal Appends one or more whole lines, as they are: the caller
   * makes them valid format v1 (the OpenTelemetry exporter's records).
   */
  public write(lines: string): void {
    if (this.stopped || !this.append(lines)) return;
    this.appended();
  }

  /** Writes the batch at the high-water mark (always when `sync`). */
  protected appended(): void {
    if (this.sync || this.buffer.length >= defaultHighWaterMark) {
      this.flushNow();
    } else {
      this.scheduleFlush();
    }
  }

  /** Buffers `lines`, or counts them as dropped when they do not fit. */
  protected append(lines: string): boolean {
    if (this.dropped > 0) this.reportDropped();
    return this.keep(
      this.buffer.length + lines.length > this.bufferSize
        ? undefined
        : this.buffer + lines,
    );
  }

  /**
   * Takes `buffer`, the batch with records added, when it is within
   * `bufferSize`; otherwise (or when there is none) counts them dropped.
   */
  protected keep(buffer: string | undefined): boolean {
    if (buffer === undefined || buffer.length > this.bufferSize) {
      this.dropped++;
      this.droppedTotal++;
      return false;
    }
    this.buffer = buffer;
    return true;
  }

  protected scheduleFlush(): void {
    if (this.timer !== undefined || this.waiting) return;
    this.timer = setTimeout(this.onTimer, this.flushInterval);
    // a pending flush must not keep the process alive: exit flushes it
    (this.timer as any).unref?.();
  }

  /**
   * Hands buffered records on; resolves once the destination took them, or
   * after `closeTimeout` when it takes nothing.
   */
  public flush(): Promise<void> {
    this.flushNow();
    // a destination that never drains must not hang its caller; one known
    // to be stalled (it took nothing for `exitTimeout`) is not waited on
    // again, or a `beforeExit` listener that flushes would wait forever
    if (!this.waiting || this.sink.stalled?.() === true) {
      return Promise.resolve();
    }
    // the timer keeps the process alive meanwhile (at most `closeTimeout`),
    // or a program awaiting a flush to a slow reader would end right there
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.closeTimeout);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Writes everything buffered before returning. Exact for files and file
   * descriptors; for streams it queues the data, best effort.
   */
  public flushSync(): void {
    this.clearTimer();
    if (this.stopped) return;
    // the buffer is written first, so the count of what overflowed always
    // fits after it
    let chunk = this.buffer + this.startLines();
    this.buffer = '';
    if (this.dropped > 0) {
      chunk += droppedLine(this.dropped);
      this.dropped = 0;
    }
    try {
      this.sink.writeSync(chunk);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Flushes and closes the destination; later calls return the same. */
  public close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /**
   * Hands everything on without blocking, waits for the destination at
   * most `closeTimeout` to take it and to close, and reports to `onError`
   * what it could not write.
   */
  protected async doClose(): Promise<void> {
    if (!this.stopped) {
      const deadline = Date.now() + this.closeTimeout;
      if (this.dropped > 0) this.reportDropped();
      let written = await this.within(this.flush(), this.closeTimeout);
      live.delete(this);
      const wasStopped = this.stopped;
      this.stopped = true;
      this.clearTimer();
      const unwritten = this.buffer.length + (this.sink.held?.() ?? 0);
      this.buffer = '';
      let closed = false;
      try {
        closed = await this.within(
          Promise.resolve(this.sink.close()),
          Math.max(0, deadline - Date.now()),
        );
      } catch {
        // a destination failing as it closes has nothing left to take
        closed = true;
      }
      written &&= unwritten === 0;
      if (!wasStopped && (!written || !closed)) {
        this.report(
          new ErrorOutput(
            `output: close() gave up after ${this.closeTimeout} ms` +
              (unwritten > 0 ? `, ${unwritten} characters not written` : '') +
              (closed ? '' : ', the destination did not close'),
            { target: describeTarget(this.target), unwritten },
          ),
        );
      }
    }
    this.releaseWaiters();
  }

  /**
   * Whether `promise` settled within `ms`; never rejects. The timer is not
   * unref'd: the caller awaits the answer, for at most `ms`.
   */
  protected within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      promise.then(
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        () => {
          clearTimeout(timer);
          resolve(true);
        },
      );
    });
  }

  protected onTimer = (): void => {
    this.timer = undefined;
    this.flushNow();
  };

  protected flushNow(): void {
    // a pending timer stays: re-arming one per batch cost more than the
    // empty flush it may find
    if (this.stopped) return;
    if (this.started.length > 0) {
      // into the buffer, under its bound, also while the sink is full
      const starts = this.startLines();
      if (starts !== '') this.append(starts);
    }
    if (this.waiting) {
      // a full destination may have room by now: try it once per batch's
      // worth of new records (its drain writes the buffer)
      if (this.buffer.length >= this.retryAt) {
        this.retryAt = this.buffer.length + defaultHighWaterMark;
        this.sink.retry?.();
      }
      return;
    }
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    this.retryAt = defaultHighWaterMark;
    try {
      if (!this.sink.write(chunk)) this.waiting = true;
    } catch (e) {
      this.fail(e);
    }
  }

  protected drain(): void {
    this.waiting = false;
    if (this.dropped > 0) this.reportDropped();
    if (this.buffer !== '' || this.started.length > 0) this.flushNow();
    if (!this.waiting) this.releaseWaiters();
  }

  protected reportDropped(): void {
    // a dropped line is under 80 characters: skip building it while full
    if (this.buffer.length + 80 > this.bufferSize) return;
    const line = droppedLine(this.dropped);
    if (this.buffer.length + line.length > this.bufferSize) return;
    this.buffer += line;
    this.dropped = 0;
  }

  protected fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.buffer = '';
    this.started = [];
    this.clearTimer();
    live.delete(this);
    this.releaseWaiters();
    try {
      Promise.resolve(this.sink.close()).catch(() => {});
    } catch {
      // the destination is already broken
    }
    this.report(error);
  }

  protected report(error: unknown): void {
    try {
      this.onError?.(error);
    } catch {
      // a failing error handler must not turn into an uncaught exception
    }
  }

  protected clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  protected releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

export default JsonlOutput;
