import type { SpanData } from '../types.js';
import { SpanStatusCode, formatVersion, spanKindNames } from '../constants.js';
import { perfNow, perfToEpochMicros } from '../utils/time.js';
import { processInfo } from '../utils/platform.js';
import version from '../version.js';

// Ids are hex and numbers need no escaping: only names and attributes go
// through JSON.stringify. `type` stays the first key.

// Epoch microseconds have 16 digits, beyond V8's small integers, and
// turning such a number into text costs 100-200 ns: the digits above the
// last three change once a millisecond, so they are kept (see `head`), and
// the last three are looked up, joined to the key that follows them.
const lowDigits: Array<string> = [];
for (let i = 0; i < 1000; i++) lowDigits.push(String(i).padStart(3, '0'));
/** Epoch milliseconds written as a prefix of the microseconds. */
const maxPrefixMs = 2 ** 44;

/** One flat string of `pieces`: a join copies, where `+` links them. */
function joined(...pieces: Array<string>): string {
  return pieces.join('');
}

/** `text` as one flat string (a join of one piece may return it as is). */
function flat(text: string): string {
  return text.length < 2 ? text : joined(text.slice(0, 1), text.slice(1));
}

const durationKey = ',"duration":';
const attributesKey = ',"attributes":';
const lowThenDuration = lowDigits.map((low) => joined(low, durationKey));
const lowThenAttributes = lowDigits.map((low) => joined(low, attributesKey));

// Span names repeat (one per traced method): keep their JSON text, with the
// key before it, bounded in characters as well as names. Long names are
// not worth caching.
const nameJson: Map<string, string> = new Map();
const nameCacheEntries = 1024;
const nameCacheLongest = 256;
const nameCacheChars = 256 * 1024;
const nameKey = '","name":';
let nameCacheSize = 0;

/** `","name":` and the name as JSON, closing the id before it. */
function nameText(name: string): string {
  let json = nameJson.get(name);
  if (json === undefined) {
    json = joined(nameKey, JSON.stringify(name));
    if (name.length > nameCacheLongest) return json;
    if (
      nameJson.size >= nameCacheEntries ||
      nameCacheSize + name.length + json.length > nameCacheChars
    ) {
      nameJson.clear();
      nameCacheSize = 0;
    }
    nameJson.set(name, json);
    nameCacheSize += name.length + json.length;
  }
  return json;
}

/** @internal The name cache's size, in names and characters (tests). */
function nameCacheUsage(): { names: number; chars: number } {
  return { names: nameJson.size, chars: nameCacheSize };
}

/**
 * The text made for the last keys. A line is a rope of the pieces it was
 * built from, and joining the batch's ropes at write time costs per piece:
 * text that repeats from line to line (the trace's id; the parent, name,
 * kind and millisecond of siblings) is made one flat piece once the same
 * keys come twice in a row.
 */
type Repeated = {
  key: unknown;
  key2: unknown;
  key3: unknown;
  key4: unknown;
  text: string;
  flat: boolean;
};

/** The keys of a slot nothing was kept in: equal to no value of a span. */
const noKey = Symbol('no key');

/** The text kept for these keys, or undefined when they changed. */
function repeatedText(
  repeated: Repeated,
  key: unknown,
  key2?: unknown,
  key3?: unknown,
  key4?: unknown,
): string | undefined {
  if (
    key !== repeated.key ||
    key2 !== repeated.key2 ||
    key3 !== repeated.key3 ||
    key4 !== repeated.key4
  ) {
    return undefined;
  }
  if (!repeated.flat) {
    repeated.flat = true;
    repeated.text = flat(repeated.text);
  }
  return repeated.text;
}

/** Keeps `text` as what these keys make, to be flattened when repeated. */
function keepText(
  text: string,
  repeated: Repeated,
  key: unknown,
  key2?: unknown,
  key3?: unknown,
  key4?: unknown,
): string {
  repeated.key = key;
  repeated.key2 = key2;
  repeated.key3 = key3;
  repeated.key4 = key4;
  repeated.text = text;
  repeated.flat = false;
  return text;
}

/**
 * What each kind of line keeps from the last line of its kind: the text up
 * to the span id; the text from the parent to the start time's millisecond
 * digits; and, for a line whose parent or name changed, the kind and
 * millisecond part of that.
 */
type LineMemory = { trace: Repeated; rest: Repeated; time: Repeated };

/** Empty slots for one kind of line. */
function lineMemory(): LineMemory {
  const repeated = (): Repeated => ({
    key: noKey,
    key2: noKey,
    key3: noKey,
    key4: noKey,
    text: '',
    flat: false,
  });
  return { trace: repeated(), rest: repeated(), time: repeated() };
}

/** How every `start` record begins: readers may match it without parsing. */
const startLinePrefix = '{"type":"start","traceId":"';
const spanLinePrefix = '{"type":"span","traceId":"';
const startMemory = lineMemory();
const spanMemory = lineMemory();

// a small number and the constant text around it are one piece
const kindStartTime: Array<string> = spanKindNames.map((_, kind) =>
  joined(',"kind":', String(kind), ',"startTime":'),
);

/** The kind and start time keys, with the kind. */
function kindText(kind: number): string {
  return kindStartTime[kind] ?? ',"kind":' + kind + ',"startTime":';
}

/** The parent's id (when there is one) and the name, with their keys. */
function parentText(parentId: string | undefined, name: string): string {
  return parentId === undefined
    ? nameText(name)
    : '","parentId":"' + parentId + nameText(name);
}

/**
 * `to` followed by a line's first fields, up to the start time's
 * millisecond digits (all of it when `ms` is -1).
 */
function head(
  to: string,
  prefix: string,
  memory: LineMemory,
  span: SpanData,
  ms: number,
): string {
  const { traceId, parentId, name, kind } = span;
  const trace =
    repeatedText(memory.trace, traceId) ??
    keepText(prefix + traceId + '","spanId":"', memory.trace, traceId);
  let rest: string;
  if (ms === -1) {
    // a start time written whole is not kept: its text has no repeats
    rest = parentText(parentId, name) + kindText(kind) + span.startTime;
  } else {
    rest =
      repeatedText(memory.rest, parentId, name, kind, ms) ??
      keepText(
        parentText(parentId, name) +
          // kind and ms in the rest slot's positions: each key position
          // sees one type of value, so its comparison stays specialised
          (repeatedText(memory.time, undefined, undefined, kind, ms) ??
            keepText(
              kindText(kind) + ms,
              memory.time,
              undefined,
              undefined,
              kind,
              ms,
            )),
        memory.rest,
        parentId,
        name,
        kind,
        ms,
      );
  }
  return to + trace + span.spanId + rest;
}

/** The start time's millisecond part, or -1 when it is written whole. */
function startMs(micros: number): number {
  const ms = Math.floor(micros / 1000);
  // negative, fractional, huge or not a number: written whole
  return ms >= 1 && ms < maxPrefixMs && lowDigits[micros - ms * 1000] != null
    ? ms
    : -1;
}

function attributesJson(span: SpanData): string {
  return span.attributes === undefined ? '{}' : JSON.stringify(span.attributes);
}

/** `to` followed by the `start` record of a span and its newline. */
function appendStartLine(to: string, span: SpanData): string {
  const startTime = span.startTime;
  const ms = startMs(startTime);
  return (
    head(to, startLinePrefix, startMemory, span, ms) +
    (ms === -1 ? attributesKey : lowThenAttributes[startTime - ms * 1000]) +
    attributesJson(span) +
    '}\n'
  );
}

/** The `start` record of a span, with its trailing newline. */
function startLine(span: SpanData): string {
  return appendStartLine('', span);
}

/**
 * What a span with no status message, attributes, events or links ends
 * with, after its duration, by status code.
 */
const plainTails: Array<string> = [];
for (const code of Object.values(SpanStatusCode)) {
  plainTails[code] = joined(
    ',"status":{"code":',
    String(code),
    '},"attributes":{},"events":[],"links":[]}\n',
  );
}

/**
 * `to` followed by the `span` record of an ended span and its newline.
 * Appending to the batch rather than making a line first is fewer nested
 * ropes to walk when the batch is encoded.
 */
function appendSpanLine(to: string, span: SpanData): string {
  const { status, startTime } = span;
  const ms = startMs(startTime);
  const line =
    head(to, spanLinePrefix, spanMemory, span, ms) +
    (ms === -1 ? durationKey : lowThenDuration[startTime - ms * 1000]) +
    span.duration;
  if (
    status.message === undefined &&
    span.attributes === undefined &&
    span.events === undefined &&
    span.links === undefined &&
    span.droppedAttributes + span.droppedEvents + span.droppedLinks === 0
  ) {
    // the common short span: one piece for everything after the duration
    const tail = plainTails[status.code];
    if (tail !== undefined) return line + tail;
  }
  const statusJson =
    status.message === undefined
      ? '{"code":' + status.code + '}'
      : JSON.stringify(status);
  const events = span.events === undefined ? '[]' : JSON.stringify(span.events);
  const links = span.links === undefined ? '[]' : JSON.stringify(span.links);
  let dropped = '';
  if (span.droppedAttributes + span.droppedEvents + span.droppedLinks > 0) {
    const counts: Record<string, number> = {};
    if (span.droppedAttributes > 0) counts.attributes = span.droppedAttributes;
    if (span.droppedEvents > 0) counts.events = span.droppedEvents;
    if (span.droppedLinks > 0) counts.links = span.droppedLinks;
    dropped = ',"dropped":' + JSON.stringify(counts);
  }
  return (
    line +
    ',"status":' +
    statusJson +
    attributesKey +
    attributesJson(span) +
    ',"events":' +
    events +
    ',"links":' +
    links +
    dropped +
    '}\n'
  );
}

/** The `span` record of an ended span, with its trailing newline. */
function spanLine(span: SpanData): string {
  return appendSpanLine('', span);
}

/** The `meta` record that opens every output. */
function metaLine(service: string): string {
  const { runtime, runtimeVersion, pid, host } = processInfo();
  const meta: Record<string, unknown> = {
    type: 'meta',
    version: formatVersion,
    service,
  };
  if (pid !== undefined) meta.pid = pid;
  meta.runtime = runtime;
  meta.runtimeVersion = runtimeVersion;
  if (host !== undefined) meta.host = host;
  meta.startTime = perfToEpochMicros(perfNow());
  meta.spantrail = version;
  return JSON.stringify(meta) + '\n';
}

/** The record that says how many records an overflow lost. */
function droppedLine(count: number): string {
  return (
    '{"type":"dropped","count":' +
    count +
    ',"time":' +
    perfToEpochMicros(perfNow()) +
    '}\n'
  );
}

export {
  startLinePrefix,
  startLine,
  appendStartLine,
  spanLine,
  appendSpanLine,
  metaLine,
  droppedLine,
  nameCacheUsage,
};
