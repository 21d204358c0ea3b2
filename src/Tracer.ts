import type {
  Attributes,
  SpanLink,
  TimeInput,
  ContextManager,
  ParentInput,
  Sampler,
  SpanContext,
  SpanLimits,
  SpanOptions,
  SpanProcessor,
  TracerOptions,
} from './types.js';
import Span from './Span.js';
import NonRecordingSpan, { isNonRecordingSpan } from './NonRecordingSpan.js';
import { runInSpan } from './results/endWhenDone.js';
import IdGenerator from './IdGenerator.js';
import { processorsOf } from './processorFactory.js';
import AlwaysOnSampler from './sampling/AlwaysOnSampler.js';
import {
  createContextManager,
  contextLostAttribute,
} from './context/createContextManager.js';
import {
  extractTraceContext,
  injectTraceContext,
} from './propagation/traceContext.js';
import type { Carrier } from './propagation/traceContext.js';
import { SpanEvent, TracerErrorEvent } from './events.js';
import { isValidSpanId, isValidTraceId } from './propagation/traceContext.js';
import { TraceFlags, defaultLimits } from './constants.js';
import { perfNow, timeInputToPerf } from './utils/time.js';
import { kindOf } from './utils/codes.js';
import { hasMethod, toText } from './utils/attributes.js';
import { processObject } from './utils/platform.js';

let defaultContextManager: ContextManager | undefined;
const probeSampler = new AlwaysOnSampler();

/** The options' own fields, read once: getters run here, not later. */
function readOptions(options: TracerOptions): TracerOptions {
  try {
    return {
      service: options.service,
      sampler: options.sampler,
      limits: options.limits,
      context: options.context,
      output: options.output,
      emitStart: options.emitStart,
      bufferSize: options.bufferSize,
      sync: options.sync,
      flushInterval: options.flushInterval,
      exitTimeout: options.exitTimeout,
      closeTimeout: options.closeTimeout,
    };
  } catch {
    throw new TypeError('Tracer: options cannot be read');
  }
}

function checkLimits(limits: Partial<SpanLimits> | undefined): SpanLimits {
  let merged: SpanLimits;
  try {
    merged = { ...defaultLimits, ...limits };
  } catch {
    throw new TypeError('limits: cannot be read');
  }
  for (const key of Object.keys(defaultLimits) as Array<keyof SpanLimits>) {
    const v = merged[key];
    if (typeof v !== 'number' || !(v >= 0)) {
      throw new TypeError(
        `limits.${key}: must be a non-negative number, got ${toText(v)}`,
      );
    }
  }
  return merged;
}

/**
 * Hands out spans and streams them to its outputs. OpenTelemetry-shaped:
 * `startSpan` makes a span whose parent is, by default, the active span.
 *
 * A tracer is an `EventTarget`: it dispatches `spanstart` and `spanend`
 * ({@link SpanEvent}) when someone listens, and `error`
 * ({@link TracerErrorEvent}) once for each output that fails.
 */
class Tracer extends EventTarget {
  public readonly service: string;
  public readonly sampler: Sampler;
  public readonly limits: SpanLimits;
  public readonly context: ContextManager;
  /** Span processors (JSONL outputs, exporters) receiving every span. */
  public readonly processors: ReadonlyArray<SpanProcessor>;
  /**
   * Whether this tracer records anything (false for the no-op tracer). A
   * field, not a getter: decorators read it on every call.
   */
  public readonly enabled: boolean = true;
  /** Spans started and not yet ended (recording ones only). */
  public openSpans = 0;
  protected ids = new IdGenerator();
  protected hasStartListeners = false;
  protected hasEndListeners = false;
  protected closing: Promise<void> | undefined;

  public constructor(tracerOptions: TracerOptions = {}) {
    super();
    if (tracerOptions == null || typeof tracerOptions !== 'object') {
      throw new TypeError('Tracer: options must be an object');
    }
    const options = readOptions(tracerOptions);
    if (options.service != null && typeof options.service !== 'string') {
      throw new TypeError('service: must be a string');
    }
    if (
      options.sampler != null &&
      !hasMethod(options.sampler, 'shouldSample')
    ) {
      throw new TypeError('sampler: must have a shouldSample method');
    }
    this.service = options.service ?? defaultServiceName();
    this.limits = checkLimits(options.limits);
    this.context =
      options.context == null
        ? (defaultContextManager ??= createContextManager(undefined))
        : createContextManager(options.context);
    // A probe span, sampled and ended with no processor to see it: set-up
    // (the id pool, compiling the span path) is paid here, not as a false
    // gap before the program's first span.
    this.sampler = probeSampler;
    this.processors = [];
    Tracer.prototype.beginSpan
      .call(this, 'spantrail.probe', null, 0, null, null, undefined)
      .end();
    this.sampler = options.sampler ?? new AlwaysOnSampler();
    this.processors =
      options.output == null
        ? []
        : processorsOf(options.output, {
            service: this.service,
            emitStart: options.emitStart,
            bufferSize: options.bufferSize,
            sync: options.sync,
            flushInterval: options.flushInterval,
            exitTimeout: options.exitTimeout,
            closeTimeout: options.closeTimeout,
            onError: (e) => this.reportError(e),
          });
  }

  /**
   * Starts a span. Its parent is `options.parent` when given (`null` starts
   * a new trace), else the active span.
   */
  public startSpan(name: string, options?: SpanOptions): Span {
    let startTime: unknown;
    let parentOption: ParentInput;
    let kind: unknown;
    let attributes: unknown;
    let links: unknown;
    if (options != null) {
      try {
        startTime = options.startTime;
        parentOption = options.parent;
        kind = options.kind;
        attributes = options.attributes;
        links = options.links;
      } catch {
        // options whose getters throw: what was read before still counts
      }
    }
    return this.beginSpan(
      name,
      parentOption,
      kind,
      attributes,
      links,
      startTime,
    );
  }

  /**
   * @internal {@link Tracer.startSpan} with its options read: traced
   * methods call it with no options object to make.
   */
  public beginSpan(
    name: string,
    parentOption: ParentInput,
    kind: unknown,
    attributes: unknown,
    links: unknown,
    startTime: unknown,
  ): Span {
    let invalidTimes = 0;
    let perfStart: number;
    if (startTime === undefined) {
      perfStart = perfNow();
    } else {
      perfStart = timeInputToPerf(startTime as TimeInput);
      if (perfStart !== perfStart) {
        perfStart = perfNow();
        invalidTimes = 1;
      }
    }
    const parentInput: ParentInput =
      parentOption === undefined ? this.activeContext() : parentOption;
    if (typeof name !== 'string') name = toText(name);
    let truncated = 0;
    if (name.length > this.limits.attributeValueLengthLimit) {
      name = name.slice(0, this.limits.attributeValueLengthLimit);
      truncated = 1;
    }
    let traceId: string | undefined;
    let parentId: string | undefined;
    let traceFlags: number = TraceFlags.SAMPLED;
    let traceState: string | undefined;
    let parent: SpanContext | undefined;
    let lost = false;
    try {
      if (parentInput instanceof Span) {
        // a local non-recording parent decides for its whole subtree
        if (isNonRecordingSpan(parentInput)) {
          return new NonRecordingSpan(this, parentInput.spanContext(), name);
        }
        traceId = parentInput.traceId;
        parentId = parentInput.spanId;
        traceFlags = parentInput.traceFlags;
        traceState = parentInput.traceState;
        parent = parentInput;
      } else if (parentInput != null) {
        // read once: a getter may answer differently the second time
        const { traceId: t, spanId: s, traceState: state } = parentInput;
        if (isValidTraceId(t) && isValidSpanId(s)) {
          traceId = t;
          parentId = s;
          traceFlags = flagsOf(parentInput.traceFlags);
          traceState = typeof state === 'string' ? state : undefined;
          parent = { traceId, spanId: parentId, traceFlags, traceState };
          if (parentInput.isRemote === true) parent.isRemote = true;
        }
      }
    } catch {
      // a parent that cannot be read (a Proxy, throwing getters): a new trace
      traceId = undefined;
      parentId = undefined;
      traceFlags = TraceFlags.SAMPLED;
      traceState = undefined;
      parent = undefined;
    }
    if (traceId === undefined) {
      traceId = this.ids.next(perfStart);
      // only the shim may have lost a parent; ALS has no `lost`
      lost =
        parentOption === undefined &&
        this.context.lost !== undefined &&
        this.context.lost();
    }
    const spanId = this.ids.next(perfStart);
    if (!this.sample(traceId, name, parent)) {
      return new NonRecordingSpan(
        this,
        { traceId, spanId, traceFlags: TraceFlags.NONE, traceState },
        name,
      );
    }
    const span = new Span(
      this,
      name,
      traceId,
      spanId,
      parentId,
      kindOf(kind),
      perfStart,
      traceFlags | TraceFlags.SAMPLED,
      traceState,
    );
    if (attributes != null) span.setAttributes(attributes as Attributes);
    if (links != null) addLinks(span, links);
    if (truncated + invalidTimes > 0) span.noteStart(truncated, invalidTimes);
    if (lost) span.setAttribute(contextLostAttribute, true);
    this.openSpans++;
    const processors = this.processors;
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i].onStart(span);
      } catch (e) {
        this.reportError(e);
      }
    }
    if (this.hasStartListeners) {
      this.dispatchEvent(new SpanEvent('spanstart', span));
    }
    return span;
  }

  /** @internal Called by {@link Span.end}. */
  public onSpanEnd(span: Span): void {
    this.openSpans--;
    const processors = this.processors;
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i].onEnd(span);
      } catch (e) {
        this.reportError(e);
      }
    }
    if (this.hasEndListeners)
      this.dispatchEvent(new SpanEvent('spanend', span));
  }

  /** The active span; a throwing custom context manager gives none. */
  protected activeContext(): ParentInput {
    try {
      return this.context.active();
    } catch (e) {
      this.reportError(e);
      return undefined;
    }
  }

  /** A throwing sampler samples nothing rather than break the program. */
  protected sample(
    traceId: string,
    name: string,
    parent: SpanContext | undefined,
  ): boolean {
    try {
      return this.sampler.shouldSample(traceId, name, parent) === true;
    } catch (e) {
      this.reportError(e);
      return false;
    }
  }

  /** Errors of outputs and user plug-ins reach listeners, never the program. */
  protected reportError(error: unknown): void {
    this.dispatchEvent(new TracerErrorEvent(error));
  }

  /** The span new spans take as parent by default. */
  public activeSpan(): Span | undefined {
    const active = this.context.active();
    return active instanceof Span ? active : undefined;
  }

  /** Runs `fn` with `span` active and returns what it returns. */
  public withSpan<R>(span: Span | SpanContext | undefined, fn: () => R): R {
    return this.context.with(span, fn);
  }

  /**
   * Binds `fn` to `span` (default: the span active now), for callbacks
   * handed to emitters, timers and third-party code.
   */
  public bind<F extends (...args: Array<any>) => any>(
    fn: F,
    span?: Span | SpanContext,
  ): F {
    return this.context.bind(fn, span);
  }

  /**
   * Writes the W3C `traceparent` (and `tracestate`) of `span` (default: the
   * active span or remote parent) into `carrier`: a plain headers object,
   * or anything with `set` (`Headers`, `Map`) or `setHeader`. Writes nothing
   * when there is no valid span. Returns `carrier`.
   */
  public inject<C extends Carrier>(carrier: C, span?: Span | SpanContext): C {
    const source = span ?? this.activeContext();
    if (source == null || carrier == null) return carrier;
    try {
      injectTraceContext(
        carrier,
        source instanceof Span ? source.spanContext() : source,
      );
    } catch {
      // a carrier or span that cannot be read or written: nothing injected
    }
    return carrier;
  }

  /**
   * Reads the W3C `traceparent` and `tracestate` from `carrier` and returns
   * the remote parent they describe (pass it as `parent`, or to
   * {@link withSpan}), or undefined when they are absent or malformed, so
   * that a new trace starts. Never throws.
   */
  public extract(carrier: unknown): SpanContext | undefined {
    return extractTraceContext(carrier);
  }

  /**
   * Starts a span, runs `fn(span)` with it active, and ends it when `fn`
   * returns, throws or its promise settles. A throw or rejection is recorded
   * (status ERROR) and rethrown unchanged.
   */
  public startActiveSpan<R>(name: string, fn: (span: Span) => R): R;
  public startActiveSpan<R>(
    name: string,
    options: SpanOptions | undefined,
    fn: (span: Span) => R,
  ): R;
  public startActiveSpan<R>(
    name: string,
    optionsOrFn: SpanOptions | undefined | ((span: Span) => R),
    maybeFn?: (span: Span) => R,
  ): R {
    // the last function given runs: options may be anything, even callable
    const withOptions = typeof maybeFn === 'function';
    const fn = withOptions
      ? maybeFn
      : (optionsOrFn as ((span: Span) => R) | undefined);
    const options = withOptions ? (optionsOrFn as SpanOptions) : undefined;
    if (typeof fn !== 'function') {
      throw new TypeError('startActiveSpan: expected a function');
    }
    const span = this.startSpan(name, options);
    return runInSpan(span, fn, undefined, [span]);
  }

  public override addEventListener(
    type: string,
    // typed through EventTarget: the DOM's listener type names are not in
    // Node's types, and the declarations must check with either
    listener: Parameters<EventTarget['addEventListener']>[1],
    options?: Parameters<EventTarget['addEventListener']>[2],
  ): void {
    // flags are never cleared: a stale flag only costs an empty dispatch
    if (type === 'spanstart') this.hasStartListeners = true;
    else if (type === 'spanend') this.hasEndListeners = true;
    super.addEventListener(type, listener, options);
  }

  /**
   * Writes what the outputs buffer; resolves once handed on. A processor
   * that throws or rejects is reported as an `error` event.
   */
  public async flush(): Promise<void> {
    await Promise.all(this.processors.map((p) => this.settle(() => p.flush())));
  }

  /** Writes what the file and fd outputs buffer before returning. */
  public flushSync(): void {
    for (const p of this.processors) {
      try {
        p.flushSync();
      } catch (e) {
        this.reportError(e);
      }
    }
  }

  /** Flushes and closes every output. Idempotent; never rejects. */
  public close(): Promise<void> {
    this.closing ??= Promise.all(
      this.processors.map((p) => this.settle(() => p.close())),
    ).then(() => undefined);
    return this.closing;
  }

  /** Runs a processor's flush or close; its failure becomes an event. */
  protected async settle(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      this.reportError(e);
    }
  }
}

function flagsOf(flags: unknown): number {
  return typeof flags === 'number' && flags >= 0 && flags <= 255
    ? flags | 0
    : TraceFlags.SAMPLED;
}

/** `options.links`, whatever it is; what cannot be read is dropped. */
function addLinks(span: Span, links: unknown): void {
  try {
    for (const link of links as Iterable<SpanLink>) span.addLink(link);
  } catch {
    span.droppedLinks++;
  }
}

function defaultServiceName(): string {
  const proc = processObject();
  const env = proc?.env?.OTEL_SERVICE_NAME;
  if (typeof env === 'string' && env !== '') return env;
  const argv1 = proc?.argv?.[1];
  if (typeof argv1 === 'string' && argv1 !== '') {
    return argv1
      .split(/[\\/]/)
      .pop()!
      .replace(/\.[cm]?[jt]s$/, '');
  }
  return 'unknown';
}

export default Tracer;
