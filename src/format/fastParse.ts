/**
 * A fast path for the lines spantrail itself writes: `start` and `span`
 * records in the exact key order of the writer (src/output/records.ts),
 * read with a cursor instead of `JSON.parse` plus validation.
 *
 * Anything the fast path does not recognise, or any doubt (whitespace,
 * escapes where they are rare, duplicate keys, numbers that are not plain
 * integers, invalid attribute values), goes to {@link parseLine}, so hostile
 * input is handled exactly as the `JSON.parse` path handles it. The result
 * for a line is always the one {@link parseLine} would return.
 */
import type {
  AttributeValue,
  Attributes,
  SpanKindCode,
  SpanStatus,
  TraceRecord,
} from './types.js';
import type { ParseOptions, ParseResult } from './parse.js';
import {
  detailsOf,
  isAttrValue,
  parseDropped,
  parseEvents,
  parseLine,
  parseLinks,
} from './parse.js';

const spanHead = '{"type":"span","traceId":"';
const startHead = '{"type":"start","traceId":"';
/** Deepest nesting the validating skipper follows before giving up. */
const maxSkipDepth = 256;

/** Cursor of the line being read; module state keeps the hot path lean. */
let src = '';
let pos = 0;

/** Reads `lit` at the cursor. */
function lit(s: string): boolean {
  if (!src.startsWith(s, pos)) return false;
  pos += s.length;
  return true;
}

/** Reads exactly `n` lowercase hex digits, returning them or undefined. */
function hex(n: number): string | undefined {
  const start = pos;
  const end = start + n;
  if (end > src.length) return undefined;
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
  }
  pos = end;
  return src.slice(start, end);
}

/**
 * A plain non-negative integer (no sign, fraction, exponent or leading
 * zero) that is a safe integer; -1 otherwise.
 */
function uint(): number {
  const start = pos;
  let v = 0;
  let c = src.charCodeAt(pos);
  if (c === 48) {
    pos++;
    c = src.charCodeAt(pos);
    return c >= 48 && c <= 57 ? -1 : isNumberEnd(c) ? 0 : -1;
  }
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    pos++;
    c = src.charCodeAt(pos);
  }
  if (pos === start || !isNumberEnd(c)) return -1;
  // Beyond 2^53 the running product may round: let the slow path decide.
  return pos - start > 15 && !Number.isSafeInteger(v) ? -1 : v;
}

/** After a number: only `,` `}` `]` keep the line on the fast path. */
function isNumberEnd(c: number): boolean {
  return c === 44 || c === 125 || c === 93;
}

/**
 * A JSON string at the cursor. Without escapes it is a slice of the line;
 * with escapes `JSON.parse` of the token decodes it. Undefined when it is
 * not a valid string (a control character, a bad escape, no end).
 */
function str(): string | undefined {
  if (src.charCodeAt(pos) !== 34) return undefined;
  const start = pos + 1;
  let i = start;
  const n = src.length;
  let escaped = false;
  for (; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c === 34) break;
    if (c < 32) return undefined;
    if (c === 92) {
      escaped = true;
      i++;
    }
  }
  if (i >= n) return undefined;
  pos = i + 1;
  if (!escaped) return src.slice(start, i);
  try {
    return JSON.parse(src.slice(start - 1, i + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * Validates a JSON number at the cursor (full grammar) and returns its
 * value, or undefined.
 */
function num(): number | undefined {
  const start = pos;
  let c = src.charCodeAt(pos);
  if (c === 45) c = src.charCodeAt(++pos);
  if (c === 48) {
    c = src.charCodeAt(++pos);
  } else if (c >= 49 && c <= 57) {
    while (c >= 48 && c <= 57) c = src.charCodeAt(++pos);
  } else {
    return undefined;
  }
  if (c === 46) {
    c = src.charCodeAt(++pos);
    if (!(c >= 48 && c <= 57)) return undefined;
    while (c >= 48 && c <= 57) c = src.charCodeAt(++pos);
  }
  if (c === 101 || c === 69) {
    c = src.charCodeAt(++pos);
    if (c === 43 || c === 45) c = src.charCodeAt(++pos);
    if (!(c >= 48 && c <= 57)) return undefined;
    while (c >= 48 && c <= 57) c = src.charCodeAt(++pos);
  }
  return Number(src.slice(start, pos));
}

/**
 * Moves the cursor over one JSON value, checking its syntax, without
 * building it. Iterative, so deep nesting cannot overflow the stack.
 * Whitespace is not expected in the writer's output: it ends the fast path.
 */
function skip(): boolean {
  // Open containers: 1 object, 2 array.
  const stack: Array<number> = [];
  for (;;) {
    // A value.
    const c = src.charCodeAt(pos);
    if (c === 123 || c === 91) {
      if (stack.length >= maxSkipDepth) return false;
      pos++;
      const close = c === 123 ? 125 : 93;
      if (src.charCodeAt(pos) === close) {
        pos++;
      } else {
        stack.push(c === 123 ? 1 : 2);
        if (c === 123) {
          if (str() === undefined || src.charCodeAt(pos) !== 58) return false;
          pos++;
        }
        continue;
      }
    } else if (c === 34) {
      if (str() === undefined) return false;
    } else if (c === 116) {
      if (!lit('true')) return false;
    } else if (c === 102) {
      if (!lit('false')) return false;
    } else if (c === 110) {
      if (!lit('null')) return false;
    } else if (num() === undefined) {
      return false;
    }
    // After a value: close containers or move to the next member.
    for (;;) {
      if (stack.length === 0) return true;
      const top = stack[stack.length - 1];
      const d = src.charCodeAt(pos);
      if (d === 44) {
        pos++;
        if (top === 1) {
          if (str() === undefined || src.charCodeAt(pos) !== 58) return false;
          pos++;
        }
        break;
      }
      if ((top === 1 && d === 125) || (top === 2 && d === 93)) {
        pos++;
        stack.pop();
        continue;
      }
      return false;
    }
  }
}

/** Parses a value with `JSON.parse` after checking its extent by skipping. */
function parsed(): unknown {
  const start = pos;
  if (!skip()) return undefined;
  return JSON.parse(src.slice(start, pos));
}

/**
 * The list value after `key` (events or links): parsed with details,
 * skipped without (`null` then). Undefined when the line is not as the
 * writer writes it.
 */
function listAfter(key: string, details: boolean): unknown {
  if (!lit(key)) return undefined;
  if (!details) return skip() ? null : undefined;
  if (lit('[]')) return [];
  return parsed();
}

/**
 * Attributes as the writer writes them: a flat object of strings, numbers,
 * booleans and arrays of them. Undefined for anything else (duplicate keys,
 * values the reader would drop), which sends the line to the slow path.
 */
function attributes(): Attributes | undefined {
  if (src.charCodeAt(pos) !== 123) return undefined;
  pos++;
  const out: Attributes = Object.create(null);
  if (src.charCodeAt(pos) === 125) {
    pos++;
    return out;
  }
  for (;;) {
    const key = str();
    if (key === undefined || src.charCodeAt(pos) !== 58) return undefined;
    pos++;
    if (key in out) return undefined;
    const c = src.charCodeAt(pos);
    let value: AttributeValue | undefined;
    if (c === 34) {
      value = str();
    } else if (c === 116) {
      value = lit('true') ? true : undefined;
    } else if (c === 102) {
      value = lit('false') ? false : undefined;
    } else if (c === 91) {
      const v = parsed();
      value = isAttrValue(v) ? (v as AttributeValue) : undefined;
    } else {
      const v = num();
      value = v !== undefined && Number.isFinite(v) ? v : undefined;
    }
    if (value === undefined) return undefined;
    out[key] = value;
    const d = src.charCodeAt(pos++);
    if (d === 125) return out;
    if (d !== 44) return undefined;
  }
}

function status(): SpanStatus | undefined {
  if (!lit('{"code":')) return undefined;
  const code = uint();
  if (code < 0) return undefined;
  const out: SpanStatus = { code: code === 1 || code === 2 ? code : 0 };
  if (lit(',"message":')) {
    const message = str();
    if (message === undefined) return undefined;
    out.message = message;
  }
  return lit('}') ? out : undefined;
}

/** The fast path proper; undefined means "ask the slow path". */
function fast(line: string, details: boolean): ParseResult | undefined {
  let isSpan: boolean;
  if (line.startsWith(spanHead)) {
    isSpan = true;
    pos = spanHead.length;
  } else if (line.startsWith(startHead)) {
    isSpan = false;
    pos = startHead.length;
  } else {
    return undefined;
  }
  src = line;
  const traceId = hex(32);
  if (traceId === undefined || !lit('","spanId":"')) return undefined;
  const spanId = hex(32);
  if (spanId === undefined || !lit('"')) return undefined;
  let parentId: string | undefined;
  if (lit(',"parentId":"')) {
    parentId = hex(32) ?? hex(16);
    if (parentId === undefined || !lit('"')) return undefined;
  }
  if (!lit(',"name":')) return undefined;
  const name = str();
  if (name === undefined || !lit(',"kind":')) return undefined;
  const kindRaw = uint();
  if (kindRaw < 0 || !lit(',"startTime":')) return undefined;
  const kind = (kindRaw >= 1 && kindRaw <= 4 ? kindRaw : 0) as SpanKindCode;
  const startTime = uint();
  if (startTime < 0) return undefined;
  let record: TraceRecord;
  if (isSpan) {
    if (!lit(',"duration":')) return undefined;
    const duration = uint();
    if (duration < 0 || !lit(',"status":')) return undefined;
    const st = status();
    if (st === undefined || !lit(',"attributes":')) return undefined;
    let attrs: Attributes | undefined;
    if (details) {
      attrs = attributes();
      if (attrs === undefined) return undefined;
    } else if (!skip()) {
      return undefined;
    }
    const events = listAfter(',"events":', details);
    if (events === undefined) return undefined;
    const links = listAfter(',"links":', details);
    if (links === undefined) return undefined;
    let dropped: unknown;
    if (lit(',"dropped":')) {
      dropped = parsed();
      if (dropped === undefined) return undefined;
    }
    record = {
      type: 'span',
      traceId,
      spanId,
      name,
      kind,
      startTime,
      duration,
      status: st,
      attributes: attrs ?? Object.create(null),
      events: details
        ? Array.isArray(events) && events.length === 0
          ? []
          : parseEvents(events)
        : [],
      links: details
        ? Array.isArray(links) && links.length === 0
          ? []
          : parseLinks(links)
        : [],
    };
    if (parentId !== undefined) record.parentId = parentId;
    const d = dropped !== undefined ? parseDropped(dropped) : undefined;
    if (d != null) record.dropped = d;
  } else {
    if (!lit(',"attributes":')) return undefined;
    let attrs: Attributes | undefined;
    if (details) {
      attrs = attributes();
      if (attrs === undefined) return undefined;
    } else if (!skip()) {
      return undefined;
    }
    record = {
      type: 'start',
      traceId,
      spanId,
      name,
      kind,
      startTime,
      attributes: attrs ?? Object.create(null),
    };
    if (parentId !== undefined) record.parentId = parentId;
  }
  if (!lit('}')) return undefined;
  // What parseLine trims: trailing `\r` and spaces.
  for (; pos < line.length; pos++) {
    const c = line.charCodeAt(pos);
    if (c !== 13 && c !== 32) return undefined;
  }
  return { kind: 'record', record };
}

/**
 * Parses one line like {@link parseLine}, with the same result for every
 * input, faster for the lines spantrail writes. Never throws.
 */
function parseLineFast(line: string, options?: ParseOptions): ParseResult {
  if (typeof line !== 'string') {
    return { kind: 'malformed', reason: 'not a string' };
  }
  let result: ParseResult | undefined;
  try {
    result = fast(line, detailsOf(options));
  } catch {
    result = undefined;
  }
  src = '';
  return result ?? parseLine(line, options);
}

export { parseLineFast };
