/**
 * Types of the spantrail trace reader: the validated records of trace format
 * v1 (see docs/format.md) and the model built from them.
 */

import type {
  AttributeValue,
  SpanAttributes,
  SpanKindValue,
  SpanStatus,
  SpanStatusCodeValue,
  SpanEventRecord,
  SpanLinkRecord,
} from '../types.js';

// The record shapes are the ones the tracer writes (src/types.ts): one
// definition of the format, under the names the reader has always used.

/**
 * Attributes; always a null-prototype object in reader output, so keys like
 * `__proto__` are ordinary data.
 */
type Attributes = SpanAttributes;

/** `SpanKind`: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4. */
type SpanKindCode = SpanKindValue;

/** `SpanStatusCode`: UNSET 0, OK 1, ERROR 2. */
type StatusCode = SpanStatusCodeValue;

type SpanEvent = SpanEventRecord;

type SpanLink = SpanLinkRecord;

type DroppedCounts = {
  attributes?: number;
  events?: number;
  links?: number;
};

type MetaRecord = {
  type: 'meta';
  version: number;
  service: string;
  pid?: number;
  runtime: string;
  runtimeVersion?: string;
  host?: string;
  /** Epoch microseconds. */
  startTime: number;
  spantrail: string;
};

type StartRecord = {
  type: 'start';
  traceId: string;
  spanId: string;
  parentId?: string;
  name: string;
  kind: SpanKindCode;
  /** Epoch microseconds. */
  startTime: number;
  attributes: Attributes;
};

type SpanRecord = {
  type: 'span';
  traceId: string;
  spanId: string;
  parentId?: string;
  name: string;
  kind: SpanKindCode;
  /** Epoch microseconds. */
  startTime: number;
  /** Nanoseconds. */
  duration: number;
  status: SpanStatus;
  attributes: Attributes;
  events: Array<SpanEvent>;
  links: Array<SpanLink>;
  dropped?: DroppedCounts;
};

type DroppedRecord = {
  type: 'dropped';
  count: number;
  /** Epoch microseconds. */
  time: number;
};

/** Any record the reader understands. */
type TraceRecord = MetaRecord | StartRecord | SpanRecord | DroppedRecord;

/** Where a span came from: the file and the `meta` record in force. */
type SpanSource = {
  /** File path, or `-` for stdin, or a caller-given label. */
  file: string;
  /** The last `meta` record read before the span, if any. */
  meta?: MetaRecord;
};

/** One span of the model: a finished `span` or a still-open `start`. */
type SpanNode = {
  traceId: string;
  spanId: string;
  /** As written: 32 hex, 16 hex (remote W3C parent) or absent. */
  parentId?: string;
  name: string;
  kind: SpanKindCode;
  /** Epoch microseconds. */
  startTime: number;
  /** Nanoseconds; `undefined` while the span is open. */
  duration?: number;
  /** True for a `start` with no matching `span`. */
  open: boolean;
  status: SpanStatus;
  attributes: Attributes;
  events: Array<SpanEvent>;
  links: Array<SpanLink>;
  dropped?: DroppedCounts;
  source: SpanSource;
};

/** Summary of one trace, as `stats` and `view` list them. */
type TraceSummary = {
  traceId: string;
  /** Name of the earliest root span (a span with no resolvable parent). */
  rootName: string;
  spanCount: number;
  openCount: number;
  errorCount: number;
  /** Epoch microseconds of the earliest span. */
  startTime: number;
  /** Nanoseconds from the earliest start to the latest end seen. */
  duration: number;
};

/** What a reader skipped, so commands can report it. */
type ReadIssues = {
  /** Lines that were not JSON objects or failed validation. */
  malformed: number;
  /** A last line with no newline that did not parse (a crash tear). */
  torn: number;
  /** Valid JSON objects whose `type` is not known. */
  unknown: number;
  /** 1-based line numbers of the first few malformed lines, per file. */
  samples: Array<{ file: string; line: number; reason: string }>;
};

/** A legacy js-logger tracer record (see docs/format.md). */
type LegacyRecord =
  | {
      type: 'start';
      /** Span identity: the record id, or `spanId` in older writers. */
      key: string;
      parentKey?: string;
      name: string;
      /** Epoch microseconds from the id. */
      time: number;
    }
  | {
      type: 'stop';
      key: string;
      time: number;
    };

export type {
  AttributeValue,
  Attributes,
  SpanKindCode,
  StatusCode,
  SpanStatus,
  SpanEvent,
  SpanLink,
  DroppedCounts,
  MetaRecord,
  StartRecord,
  SpanRecord,
  DroppedRecord,
  TraceRecord,
  SpanSource,
  SpanNode,
  TraceSummary,
  ReadIssues,
  LegacyRecord,
};
