/**
 * The records of trace format v1 (docs/format.md), as the reader validates
 * them. The writer builds the same shapes from spans (src/types.ts).
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
  LegacyRecord,
};
