import type {
  AttributeValue,
  Attributes,
  DroppedCounts,
  LegacyRecord,
  SpanEvent,
  SpanKindCode,
  SpanLink,
  SpanStatus,
  StatusCode,
  TraceRecord,
} from './types.js';
import { decodeLegacyId } from './legacy.js';
import { isAttrValue } from './values.js';

/** Outcome of parsing one line. */
type ParseResult =
  | { kind: 'record'; record: TraceRecord }
  | { kind: 'legacy'; record: LegacyRecord }
  | { kind: 'unknown' }
  | { kind: 'blank' }
  | { kind: 'malformed'; reason: string };

type ParseOptions = {
  /**
   * Copy attributes, events and links. Aggregations that never look at them
   * (`stats`) turn this off to save the copying.
   */
  details?: boolean;
};

/** Lowercase hex of exactly `len` characters (a hand loop: hot path). */
function isHex(v: unknown, len: number): v is string {
  if (typeof v !== 'string' || v.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

const hex32 = { test: (v: unknown): boolean => isHex(v, 32) };
const hex16or32 = {
  test: (v: unknown): boolean => isHex(v, 32) || isHex(v, 16),
};

/**
 * Objects from `JSON.parse` hold every key as an own data property
 * (`__proto__` included) and no key the reader asks for exists on
 * `Object.prototype`, so plain reads of them are safe.
 */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v != null && !Array.isArray(v);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Copies valid attributes into a null-prototype object: a `__proto__` key
 * stays plain data and cannot reach `Object.prototype`.
 */
function copyAttributes(v: unknown): Attributes {
  const out: Attributes = Object.create(null);
  if (!isObject(v)) return out;
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (isAttrValue(value)) {
      out[key] = Array.isArray(value)
        ? (value.slice() as AttributeValue)
        : value;
    }
  }
  return out;
}

function parseStatus(v: unknown): SpanStatus {
  if (!isObject(v)) return { code: 0 };
  const code = v.code;
  const message = v.message;
  const status: SpanStatus = {
    code: code === 1 || code === 2 ? (code as StatusCode) : 0,
  };
  if (typeof message === 'string') status.message = message;
  return status;
}

function parseKind(v: unknown): SpanKindCode {
  return v === 1 || v === 2 || v === 3 || v === 4 ? v : 0;
}

function parseEvents(v: unknown): Array<SpanEvent> {
  const out: Array<SpanEvent> = [];
  if (!Array.isArray(v)) return out;
  for (const e of v) {
    if (!isObject(e)) continue;
    const name = e.name;
    const time = e.time;
    if (typeof name !== 'string' || !isUint(time)) continue;
    const event: SpanEvent = { name, time };
    const attributes = e.attributes;
    if (attributes !== undefined) event.attributes = copyAttributes(attributes);
    const dropped = e.dropped;
    if (isUint(dropped) && dropped > 0) event.dropped = dropped;
    out.push(event);
  }
  return out;
}

function parseLinks(v: unknown): Array<SpanLink> {
  const out: Array<SpanLink> = [];
  if (!Array.isArray(v)) return out;
  for (const l of v) {
    if (!isObject(l)) continue;
    const traceId = l.traceId;
    const spanId = l.spanId;
    if (typeof traceId !== 'string' || !hex32.test(traceId)) continue;
    if (typeof spanId !== 'string' || !hex16or32.test(spanId)) continue;
    const link: SpanLink = { traceId, spanId };
    const attributes = l.attributes;
    if (attributes !== undefined) link.attributes = copyAttributes(attributes);
    const dropped = l.dropped;
    if (isUint(dropped) && dropped > 0) link.dropped = dropped;
    out.push(link);
  }
  return out;
}

function parseDropped(v: unknown): DroppedCounts | undefined {
  if (!isObject(v)) return undefined;
  const out: DroppedCounts = {};
  let any = false;
  for (const key of ['attributes', 'events', 'links'] as const) {
    const n = v[key];
    if (isUint(n) && n > 0) {
      out[key] = n;
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * Validates the fields `start` and `span` share; returns a reason string when
 * the record is unusable.
 */
function checkSpanCore(obj: Record<string, unknown>): string | undefined {
  const traceId = obj.traceId;
  if (typeof traceId !== 'string' || !hex32.test(traceId)) {
    return 'bad traceId';
  }
  const spanId = obj.spanId;
  if (typeof spanId !== 'string' || !hex32.test(spanId)) {
    return 'bad spanId';
  }
  const parentId = obj.parentId;
  if (
    parentId !== undefined &&
    parentId !== null &&
    (typeof parentId !== 'string' || !hex16or32.test(parentId))
  ) {
    return 'bad parentId';
  }
  if (typeof obj.name !== 'string') return 'bad name';
  if (!isUint(obj.startTime)) return 'bad startTime';
  return undefined;
}

/**
 * Whether to copy details, from options that may be anything: options that
 * cannot be read mean the default. Never throws.
 */
function detailsOf(options: ParseOptions | undefined): boolean {
  try {
    return options?.details !== false;
  } catch {
    return true;
  }
}

/**
 * Options read once for a decoder: a `TypeError` when they cannot be read.
 */
function readParseOptions(options: ParseOptions | undefined): ParseOptions {
  try {
    return { details: options?.details !== false };
  } catch {
    throw new TypeError('options cannot be read');
  }
}

/**
 * Turns a parsed JSON value into a validated record. Exposed for callers that
 * already hold parsed objects. Never throws: an object whose getters or
 * Proxy traps throw is malformed.
 */
function parseValue(value: unknown, options?: ParseOptions): ParseResult {
  try {
    return parseObject(value, detailsOf(options));
  } catch {
    return { kind: 'malformed', reason: 'unreadable' };
  }
}

/** {@link parseValue} of a value JSON.parse made: plain data, no getters. */
function parseObject(value: unknown, details: boolean): ParseResult {
  if (!isObject(value)) return { kind: 'malformed', reason: 'not an object' };
  const type = value.type;
  switch (type) {
    case 'span': {
      if (value.id !== undefined && value.traceId == null) {
        break;
      }
      const reason = checkSpanCore(value);
      if (reason != null) return { kind: 'malformed', reason };
      const duration = value.duration;
      if (!isUint(duration))
        return { kind: 'malformed', reason: 'bad duration' };
      const parentId = value.parentId;
      const record: TraceRecord = {
        type: 'span',
        traceId: value.traceId as string,
        spanId: value.spanId as string,
        name: value.name as string,
        kind: parseKind(value.kind),
        startTime: value.startTime as number,
        duration,
        status: parseStatus(value.status),
        attributes: details
          ? copyAttributes(value.attributes)
          : Object.create(null),
        events: details ? parseEvents(value.events) : [],
        links: details ? parseLinks(value.links) : [],
      };
      if (typeof parentId === 'string') record.parentId = parentId;
      const dropped = parseDropped(value.dropped);
      if (dropped != null) record.dropped = dropped;
      return { kind: 'record', record };
    }
    case 'start': {
      if (value.traceId == null && value.id != null) break;
      const reason = checkSpanCore(value);
      if (reason != null) return { kind: 'malformed', reason };
      const parentId = value.parentId;
      const record: TraceRecord = {
        type: 'start',
        traceId: value.traceId as string,
        spanId: value.spanId as string,
        name: value.name as string,
        kind: parseKind(value.kind),
        startTime: value.startTime as number,
        attributes: details
          ? copyAttributes(value.attributes)
          : Object.create(null),
      };
      if (typeof parentId === 'string') record.parentId = parentId;
      return { kind: 'record', record };
    }
    case 'meta': {
      const str = (key: string): string => {
        const v = value[key];
        return typeof v === 'string' ? v : '';
      };
      const version = value.version;
      const startTime = value.startTime;
      const record: TraceRecord = {
        type: 'meta',
        version: isUint(version) ? version : 1,
        service: str('service'),
        runtime: str('runtime'),
        startTime: isUint(startTime) ? startTime : 0,
        spantrail: str('spantrail'),
      };
      const pid = value.pid;
      if (isUint(pid)) record.pid = pid;
      const rv = value.runtimeVersion;
      if (typeof rv === 'string') record.runtimeVersion = rv;
      const host = value.host;
      if (typeof host === 'string') record.host = host;
      return { kind: 'record', record };
    }
    case 'dropped': {
      const count = value.count;
      const time = value.time;
      if (!isUint(count)) return { kind: 'malformed', reason: 'bad count' };
      return {
        kind: 'record',
        record: { type: 'dropped', count, time: isUint(time) ? time : 0 },
      };
    }
    case 'stop':
    case 'end':
      break;
    default:
      return typeof type === 'string'
        ? { kind: 'unknown' }
        : { kind: 'malformed', reason: 'no type' };
  }
  return parseLegacy(value, type as string);
}

/**
 * Reads a js-logger tracer record: `{"type":"start","id","parentId","name"}`
 * and `{"type":"stop","id","startId"}` (also the `spanId`/`parentSpanId`/
 * `end` variant some js-logger versions wrote). Times come from the ids.
 */
function parseLegacy(
  value: Record<string, unknown>,
  type: string,
): ParseResult {
  const id = value.id;
  if (typeof id !== 'string') {
    return { kind: 'malformed', reason: 'bad legacy id' };
  }
  const decoded = decodeLegacyId(id);
  if (decoded == null) return { kind: 'malformed', reason: 'bad legacy id' };
  if (type === 'start') {
    const spanId = value.spanId;
    let key = decoded.hex;
    if (typeof spanId === 'string') {
      const d = decodeLegacyId(spanId);
      if (d == null) return { kind: 'malformed', reason: 'bad legacy id' };
      key = d.hex;
    }
    const name = value.name;
    if (typeof name !== 'string') {
      return { kind: 'malformed', reason: 'bad name' };
    }
    const parent = value.parentId ?? value.parentSpanId;
    const record: LegacyRecord = {
      type: 'start',
      key,
      name,
      time: decoded.time,
    };
    if (typeof parent === 'string') {
      const p = decodeLegacyId(parent);
      if (p == null) return { kind: 'malformed', reason: 'bad legacy parent' };
      record.parentKey = p.hex;
    }
    return { kind: 'legacy', record };
  }
  if (type === 'stop' || type === 'end') {
    const ref = value.startId ?? value.spanId;
    if (typeof ref !== 'string') {
      return { kind: 'malformed', reason: 'bad legacy startId' };
    }
    const r = decodeLegacyId(ref);
    if (r == null) return { kind: 'malformed', reason: 'bad legacy startId' };
    return {
      kind: 'legacy',
      record: { type: 'stop', key: r.hex, time: decoded.time },
    };
  }
  return { kind: 'unknown' };
}

/**
 * Parses one line of a trace file. Never throws: malformed JSON, hostile
 * values and unknown types come back as a result kind.
 */
function parseLine(line: string, options?: ParseOptions): ParseResult {
  if (typeof line !== 'string') {
    return { kind: 'malformed', reason: 'not a string' };
  }
  // Fast skip of blank lines (a trailing `\r` from CRLF files included).
  let end = line.length;
  while (
    end > 0 &&
    (line.charCodeAt(end - 1) === 13 || line[end - 1] === ' ')
  ) {
    end--;
  }
  if (end === 0) return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(end === line.length ? line : line.slice(0, end));
  } catch (e) {
    return {
      kind: 'malformed',
      reason: e instanceof RangeError ? 'too deeply nested' : 'invalid JSON',
    };
  }
  return parseObject(value, detailsOf(options));
}

export {
  parseLine,
  parseValue,
  detailsOf,
  readParseOptions,
  copyAttributes,
  isUint,
  isAttrValue,
  parseEvents,
  parseLinks,
  parseDropped,
};
export type { ParseResult, ParseOptions };
