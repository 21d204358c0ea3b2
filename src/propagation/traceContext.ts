import type { SpanContext } from '../types.js';
import { TraceFlags } from '../constants.js';
import { w3cSpanId } from '../utils/ids.js';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): parsing and
 * formatting of the `traceparent` and `tracestate` headers. Parsers never
 * throw: what is malformed is reported as undefined, and the caller starts
 * a new trace.
 */

const traceparentHeader = 'traceparent';
const tracestateHeader = 'tracestate';

// version 00 is exactly this; later versions may append "-..." after it
const traceparentPattern =
  /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTraceId = '00000000000000000000000000000000';
const zeroParentId = '0000000000000000';
const traceIdPattern = /^[0-9a-f]{32}$/;
const spanIdPattern = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;

// https://www.w3.org/TR/trace-context/#key
const tracestateKey =
  /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
// printable ASCII except ',' and '='; no trailing space
const tracestateValue =
  /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const tracestateMaxMembers = 32;

/** Strips the optional whitespace (space, tab) HTTP allows around values. */
function trimOws(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  // the common case has nothing to strip
  if (first !== 32 && first !== 9 && last !== 32 && last !== 9) return value;
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Parses a `traceparent` header into a remote span context (16-hex
 * `spanId`, `isRemote: true`), or undefined when it is malformed: version
 * `ff`, all-zero ids, wrong lengths, upper case, or trailing data after a
 * version 00 header.
 */
function parseTraceParent(header: unknown): SpanContext | undefined {
  if (typeof header !== 'string') return undefined;
  const m = traceparentPattern.exec(trimOws(header));
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff') return undefined;
  // version 00 has no fields after the flags; a later version may
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === zeroTraceId || spanId === zeroParentId) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16),
    isRemote: true,
  };
}

/** Whether `id` is a valid trace id: 32 lower-case hex digits, not all 0. */
function isValidTraceId(id: unknown): id is string {
  return (
    typeof id === 'string' && traceIdPattern.test(id) && id !== zeroTraceId
  );
}

/**
 * Whether `id` is a valid span id: 16 lower-case hex digits (W3C, OTLP) or
 * spantrail's 32, whose W3C span id (the low 16) is not all 0, since that
 * is what `traceparent` and OTLP carry.
 */
function isValidSpanId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    spanIdPattern.test(id) &&
    w3cSpanId(id) !== zeroParentId
  );
}

/**
 * Formats a version 00 `traceparent` for `context`, or undefined when its
 * ids are invalid. The parent id is the low 16 hex characters of a
 * spantrail span id (its W3C/OTLP span id). Never throws.
 */
function formatTraceParent(context: SpanContext): string | undefined {
  let traceId: unknown;
  let spanId: unknown;
  let traceFlags: unknown;
  try {
    ({ traceId, spanId, traceFlags } = context);
  } catch {
    // not an object, or getters that throw: no context
    return undefined;
  }
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  const flags =
    typeof traceFlags === 'number' ? traceFlags & 0xff : TraceFlags.SAMPLED;
  return `00-${traceId}-${w3cSpanId(spanId)}-${flags.toString(16).padStart(2, '0')}`;
}

/**
 * Whether `header` is a valid `tracestate`: at most 32 list members, each
 * `key=value` with the W3C key and value grammar, no key twice. Empty
 * members are allowed, as the spec says.
 */
function isValidTraceState(header: unknown): header is string {
  if (typeof header !== 'string') return false;
  const keys = new Set<string>();
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return false;
    const key = member.slice(0, eq);
    if (
      !tracestateKey.test(key) ||
      !tracestateValue.test(member.slice(eq + 1))
    ) {
      return false;
    }
    if (keys.has(key)) return false;
    keys.add(key);
    if (keys.size > tracestateMaxMembers) return false;
  }
  return true;
}

/** A carrier with `get`/`set`, as `Headers` and `Map` have. */
type CarrierWithAccessors = {
  get(name: string): unknown;
  set(name: string, value: string): unknown;
};

/**
 * What `inject` writes into and `extract` reads from: a plain object of
 * headers (Node's `req.headers`), or a `Headers`-like object with
 * `get`/`set` (`Headers`, `Map`), or a Node outgoing message with
 * `getHeader`/`setHeader`.
 */
type Carrier =
  | Record<string, unknown>
  | CarrierWithAccessors
  | {
      getHeader(name: string): unknown;
      setHeader(name: string, value: string): unknown;
    };

/**
 * Reads header `name` from a carrier, case-insensitively for plain objects.
 * Repeated headers (arrays) are returned as arrays.
 */
function getHeader(carrier: Carrier, name: string): unknown {
  const c = carrier as any;
  if (typeof c.get === 'function') return c.get(name);
  if (typeof c.getHeader === 'function') return c.getHeader(name);
  if (Object.prototype.hasOwnProperty.call(c, name)) return c[name];
  for (const key of Object.keys(c)) {
    if (key.toLowerCase() === name) return c[key];
  }
  return undefined;
}

function setHeader(carrier: Carrier, name: string, value: string): void {
  const c = carrier as any;
  if (typeof c.set === 'function') c.set(name, value);
  else if (typeof c.setHeader === 'function') c.setHeader(name, value);
  else {
    // replace a differently cased key rather than sending both
    for (const key of Object.keys(c)) {
      if (key !== name && key.toLowerCase() === name) delete c[key];
    }
    c[name] = value;
  }
}

/**
 * Writes `traceparent` (and `tracestate`, when the context has a valid one)
 * for `context` into `carrier`. Returns false, writing nothing, when the
 * context is not valid (e.g. the no-op tracer's span) or the carrier
 * cannot be written. Never throws.
 */
function injectTraceContext(carrier: Carrier, context: SpanContext): boolean {
  if (carrier == null || context == null) return false;
  try {
    const traceparent = formatTraceParent(context);
    if (traceparent === undefined) return false;
    const state = context.traceState;
    setHeader(carrier, traceparentHeader, traceparent);
    if (state !== undefined && isValidTraceState(state)) {
      const traceState = trimOws(state);
      if (traceState !== '') setHeader(carrier, tracestateHeader, traceState);
    }
    return true;
  } catch {
    // a carrier or context whose accessors throw: nothing more is written
    return false;
  }
}

/**
 * Reads a remote parent from `carrier`, or undefined when there is none or
 * it is malformed. Never throws. Two `traceparent` headers are malformed;
 * several `tracestate` headers are joined, as HTTP joins them.
 */
function extractTraceContext(carrier: unknown): SpanContext | undefined {
  if (typeof carrier !== 'object' || carrier === null) return undefined;
  try {
    let traceparent = getHeader(carrier as Carrier, traceparentHeader);
    if (Array.isArray(traceparent)) {
      traceparent = traceparent.length === 1 ? traceparent[0] : undefined;
    }
    const context = parseTraceParent(traceparent);
    if (context === undefined) return undefined;
    let traceState = getHeader(carrier as Carrier, tracestateHeader);
    if (Array.isArray(traceState)) traceState = traceState.join(',');
    if (isValidTraceState(traceState)) {
      const trimmed = trimOws(traceState);
      if (trimmed !== '') context.traceState = trimmed;
    }
    return context;
  } catch {
    // a carrier whose accessors throw carries nothing we can use
    return undefined;
  }
}

export type { Carrier };
export {
  traceparentHeader,
  tracestateHeader,
  parseTraceParent,
  formatTraceParent,
  isValidTraceId,
  isValidSpanId,
  isValidTraceState,
  injectTraceContext,
  extractTraceContext,
};
