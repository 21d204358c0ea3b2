import type { SpanData } from '../types.js';
import { SpanStatusCode, formatVersion, spanKindNames } from '../constants.js';
import { perfNow, perfToEpochMicros } from '../utils/time.js';
import { processInfo } from '../utils/platform.js';
import version from '../version.js';

// Ids are hex and numbers need no escaping: only names and attributes go
// through JSON.stringify. Template literals build each line with fewer
// intermediate strings than `+` chains. `type` stays the first key.

// Epoch microseconds have 16 digits, beyond V8's small integers, and
// turning such a number into text costs 100-200 ns: the digits above the
// last three change once a millisecond, so they are cached.
const lowDigits: Array<string> = [];
for (let i = 0; i < 1000; i++) lowDigits.push(String(i).padStart(3, '0'));
let cachedMs = -1;
let cachedMsText = '';

/** `String(micros)`, faster for integers >= 1000. */
function microsText(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const low = lowDigits[micros - ms * 1000];
  // negative, fractional, huge or not a number: the plain conversion
  if (low === undefined || !(ms >= 1 && ms < 2 ** 44)) return String(micros);
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedMsText = String(ms);
  }
  return cachedMsText + low;
}

// Span names repeat (one per traced method): keep their JSON text, with the
// key before it, bounded in characters as well as names. Long names are
// not worth caching.
const nameJson: Map<string, string> = new Map();
const nameCacheEntries = 1024;
const nameCacheLongest = 256;
const nameCacheChars = 256 * 1024;
const nameKey = '","name":';
let nameCacheSize = 0;

// the last name looked up: consecutive spans often share one
let lastName: string | undefined;
let lastNameText = '';

/** `","name":` and the name as JSON, closing the id before it. */
function nameText(name: string): string {
  if (name === lastName) return lastNameText;
  let json = nameJson.get(name);
  if (json === undefined) {
    json = nameKey + JSON.stringify(name);
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
  lastName = name;
  lastNameText = json;
  return json;
}

/** @internal The name cache's size, in names and characters (tests). */
function nameCacheUsage(): { names: number; chars: number } {
  return { names: nameJson.size, chars: nameCacheSize };
}

/** How every `start` record begins: readers may match it without parsing. */
const startLinePrefix = '{"type":"start","traceId":"';

// Lines are built with `+`, not template literals: V8 joins a `+` chain
// of short pieces into fewer rope nodes, and flattening the batch of fresh
// lines at write time was a third of a short span's cost. For the same
// reason a small number and the constant text around it are one piece,
// looked up by the number.
const kindStartTime: Array<string> = spanKindNames.map(
  (_, kind) => ',"kind":' + kind + ',"startTime":',
);
function head(prefix: string, span: SpanData): string {
  const kind = kindStartTime[span.kind];
  return (
    prefix +
    span.traceId +
    '","spanId":"' +
    span.spanId +
    (span.parentId === undefined
      ? nameText(span.name)
      : '","parentId":"' + span.parentId + nameText(span.name)) +
    (kind === undefined ? ',"kind":' + span.kind + ',"startTime":' : kind) +
    microsText(span.startTime)
  );
}

function attributesJson(span: SpanData): string {
  return span.attributes === undefined ? '{}' : JSON.stringify(span.attributes);
}

/** The `start` record of a span, with its trailing newline. */
function startLine(span: SpanData): string {
  return (
    head(startLinePrefix, span) +
    ',"attributes":' +
    attributesJson(span) +
    '}\n'
  );
}

const spanLinePrefix = '{"type":"span","traceId":"';
/**
 * What a span with no status message, attributes, events or links ends
 * with, after its duration, by status code.
 */
const plainTails: Array<string> = [];
for (const code of Object.values(SpanStatusCode)) {
  plainTails[code] =
    ',"status":{"code":' + code + '},"attributes":{},"events":[],"links":[]}\n';
}

/** The `span` record of an ended span, with its trailing newline. */
function spanLine(span: SpanData): string {
  const status = span.status;
  const start = head(spanLinePrefix, span) + ',"duration":' + span.duration;
  if (
    status.message === undefined &&
    span.attributes === undefined &&
    span.events === undefined &&
    span.links === undefined &&
    span.droppedAttributes + span.droppedEvents + span.droppedLinks === 0
  ) {
    // the common short span: one piece for everything after the duration
    const tail = plainTails[status.code];
    if (tail !== undefined) return start + tail;
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
    start +
    ',"status":' +
    statusJson +
    ',"attributes":' +
    attributesJson(span) +
    ',"events":' +
    events +
    ',"links":' +
    links +
    dropped +
    '}\n'
  );
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
  spanLine,
  metaLine,
  droppedLine,
  nameCacheUsage,
};
