import type { AttributeValue, SpanAttributes, TimeInput } from './types.js';

const timeOrigin = performance.timeOrigin;
const relativeTimeBound = 1e11;

/**
 * Epoch microseconds of a `performance.now()` reading. Integer maths on the
 * sum keeps 1 us resolution up to the year 2255 within 2^53.
 */
function perfToEpochMicros(perfNow: number): number {
  return Math.floor((timeOrigin + perfNow) * 1000);
}

/**
 * Converts an OpenTelemetry time input into a `performance.now()`-based
 * reading in milliseconds, the clock spans are timed on.
 */
function timeInputToPerf(time: TimeInput): number {
  if (typeof time === 'number') {
    // OpenTelemetry treats numbers below timeOrigin as relative, which
    // misreads epoch times from just before the process started; a
    // performance.now() reading below 1e11 ms means 3 years of uptime
    return time < relativeTimeBound ? time : time - timeOrigin;
  }
  if (time instanceof Date) return time.getTime() - timeOrigin;
  if (Array.isArray(time) && time.length === 2) {
    return time[0] * 1e3 + time[1] / 1e6 - timeOrigin;
  }
  return performance.now();
}

/**
 * Looks up a Node built-in module without a static import, so that the
 * browser bundle holds no `node:` specifier. Works on Node >= 20.16, Deno
 * and Bun; elsewhere it returns undefined.
 */
function getBuiltin<T = any>(name: string): T | undefined {
  const proc = (globalThis as any).process;
  if (proc == null || typeof proc.getBuiltinModule !== 'function') {
    return undefined;
  }
  try {
    return proc.getBuiltinModule(name) as T;
  } catch {
    return undefined;
  }
}

/** The runtime we run on and its version, for the `meta` record. */
function runtimeInfo(): { runtime: string; runtimeVersion: string } {
  const g = globalThis as any;
  if (g.Deno != null) {
    return { runtime: 'deno', runtimeVersion: String(g.Deno.version?.deno) };
  }
  if (g.Bun != null) return { runtime: 'bun', runtimeVersion: g.Bun.version };
  if (g.process?.versions?.node != null) {
    return { runtime: 'node', runtimeVersion: g.process.versions.node };
  }
  if (g.navigator?.userAgent != null) {
    return { runtime: 'browser', runtimeVersion: g.navigator.userAgent };
  }
  return { runtime: 'unknown', runtimeVersion: '' };
}

/**
 * This process as trace files and OTLP resources describe it: runtime,
 * version, and pid and host name where the runtime has them.
 */
function processInfo(): {
  runtime: string;
  runtimeVersion: string;
  pid?: number;
  host?: string;
} {
  const info: ReturnType<typeof processInfo> = runtimeInfo();
  const pid = (globalThis as any).process?.pid;
  if (typeof pid === 'number') info.pid = pid;
  try {
    const host = getBuiltin('node:os')?.hostname();
    if (typeof host === 'string') info.host = host;
  } catch {
    // no host name to report
  }
  return info;
}

function truncate(value: string, limit: number): string {
  return value.length > limit ? value.slice(0, limit) : value;
}

/**
 * Converts any value into an attribute value, or `undefined` when it cannot
 * be represented and must be dropped. Never throws.
 */
function toAttributeValue(
  value: unknown,
  lengthLimit: number,
): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return truncate(value, lengthLimit);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return truncate(value.toString(), lengthLimit);
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) return toAttributeArray(value, lengthLimit);
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toJSON();
      }
      try {
        const json = JSON.stringify(value, jsonReplacer);
        return json === undefined ? undefined : truncate(json, lengthLimit);
      } catch {
        // circular or a throwing toJSON
        return undefined;
      }
    }
    default:
      // undefined, symbol, function
      return undefined;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Arrays must be homogeneous primitives; anything else is stored as JSON.
 */
function toAttributeArray(
  value: Array<unknown>,
  lengthLimit: number,
): AttributeValue | undefined {
  let type: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const t = typeof value[i];
    if (
      (t !== 'string' && t !== 'number' && t !== 'boolean') ||
      (type !== undefined && t !== type) ||
      (t === 'number' && !Number.isFinite(value[i] as number))
    ) {
      return safeJson(value, lengthLimit);
    }
    type = t;
  }
  if (type === 'string') {
    return (value as Array<string>).map((v) => truncate(v, lengthLimit));
  }
  return value.slice() as AttributeValue;
}

function safeJson(value: unknown, lengthLimit: number): string | undefined {
  try {
    const json = JSON.stringify(value, jsonReplacer);
    return json === undefined ? undefined : truncate(json, lengthLimit);
  } catch {
    return undefined;
  }
}

/**
 * Copies user attributes into `target` under the limits; returns how many
 * were dropped (over the count limit or not representable).
 */
function mergeAttributes(
  target: SpanAttributes,
  count: number,
  attributes: Record<string, unknown>,
  countLimit: number,
  lengthLimit: number,
): { count: number; dropped: number } {
  let dropped = 0;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const r = setAttributeOn(
      target,
      count,
      key,
      attributes[key],
      countLimit,
      lengthLimit,
    );
    if (r < 0) dropped++;
    else count += r;
  }
  return { count, dropped };
}

/**
 * Sets one attribute. Returns 1 when a key was added, 0 when one was
 * replaced or the value was unset, -1 when it was dropped.
 */
function setAttributeOn(
  target: SpanAttributes,
  count: number,
  key: unknown,
  value: unknown,
  countLimit: number,
  lengthLimit: number,
): number {
  const k = typeof key === 'string' ? key : String(key);
  if (k === '' || value === undefined || value === null) return 0;
  const v = toAttributeValue(value, lengthLimit);
  if (v === undefined) return -1;
  const exists = Object.prototype.hasOwnProperty.call(target, k);
  if (!exists && count >= countLimit) return -1;
  if (k === '__proto__') {
    Object.defineProperty(target, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[k] = v;
  }
  return exists ? 0 : 1;
}

/** Returns the attributes of `attributes` that fit, and how many did not. */
function sanitizeAttributes(
  attributes: Record<string, unknown> | undefined,
  countLimit: number,
  lengthLimit: number,
): { attributes: SpanAttributes | undefined; dropped: number } {
  if (attributes == null) return { attributes: undefined, dropped: 0 };
  const target: SpanAttributes = {};
  const r = mergeAttributes(target, 0, attributes, countLimit, lengthLimit);
  return { attributes: r.count > 0 ? target : undefined, dropped: r.dropped };
}

/**
 * Turns a thrown value into an `Error`-like triple for exception events.
 * Never throws: a hostile value (throwing getters, a revoked proxy) must not
 * replace the error the program is handling.
 */
function describeException(exception: unknown): {
  type: string;
  message: string;
  stacktrace?: string;
} {
  try {
    return describeThrown(exception);
  } catch {
    return { type: typeof exception, message: '' };
  }
}

function describeThrown(exception: unknown): {
  type: string;
  message: string;
  stacktrace?: string;
} {
  if (
    exception instanceof Error ||
    (typeof exception === 'object' && exception !== null)
  ) {
    const e = exception as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
      constructor?: { name?: unknown };
    };
    const ctorName =
      typeof e.constructor?.name === 'string' && e.constructor.name !== 'Object'
        ? e.constructor.name
        : undefined;
    const type = ctorName ?? (typeof e.name === 'string' ? e.name : 'Error');
    const message =
      typeof e.message === 'string'
        ? e.message
        : (safeJson(exception, 4096) ?? '');
    const stack = typeof e.stack === 'string' ? e.stack : undefined;
    return { type, message, stacktrace: stack };
  }
  let message: string;
  try {
    message = String(exception);
  } catch {
    message = typeof exception;
  }
  return { type: typeof exception, message };
}

/**
 * Members that get `run` when the process emits `event` (`exit` for
 * synchronous last writes, `beforeExit` for a last async flush). One
 * listener per registry, added on first use; none where there is no
 * `process` (browsers), and it never keeps the process alive.
 */
function processHooks<T>(
  event: 'exit' | 'beforeExit',
  run: (member: T) => void,
): { add(member: T): void; delete(member: T): void } {
  const members: Set<T> = new Set();
  let installed = false;
  return {
    add(member: T): void {
      members.add(member);
      if (installed) return;
      const proc = (globalThis as any).process;
      if (typeof proc?.on !== 'function') return;
      installed = true;
      proc.on(event, () => {
        for (const m of members) run(m);
      });
    },
    delete(member: T): void {
      members.delete(member);
    },
  };
}

/**
 * The W3C/OTLP span id of a spantrail span id: its low 8 bytes (the last 16
 * hex characters). A 16-character id is returned as it is.
 */
function w3cSpanId(spanId: string): string {
  return spanId.length === 32 ? spanId.slice(16) : spanId;
}

export {
  processInfo,
  w3cSpanId,
  processHooks,
  timeOrigin,
  perfToEpochMicros,
  timeInputToPerf,
  getBuiltin,
  runtimeInfo,
  mergeAttributes,
  setAttributeOn,
  sanitizeAttributes,
  describeException,
};
