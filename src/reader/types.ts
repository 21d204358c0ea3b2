/**
 * Types of the spantrail trace reader: the model built from the records of
 * trace format v1 (src/format/types.ts).
 */

import type {
  Attributes,
  DroppedCounts,
  MetaRecord,
  SpanEvent,
  SpanKindCode,
  SpanLink,
  SpanStatus,
} from '../format/types.js';

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

export type { SpanSource, SpanNode, TraceSummary, ReadIssues };
