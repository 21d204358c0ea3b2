// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import fs from 'node:fs';
import { ExportResultCode } from '@opentelemetry/core';

const highWaterMark = 64 * 1024;
const flushInterval = 25;

function hrToMicros(t) {
  return t[0] * 1e6 + Math.floor(t[1] / 1e3);
}

function hrToNanos(t) {
  return t[0] * 1e9 + t[1];
}

/**
 * The OpenTelemetry contender's exporter: writes each span as one JSON line
 * with the same fields as a spantrail `span` record, through a writer of the
 * same design as spantrail's file output (a string buffer handed to
 * `fs.writeSync` at 64 KiB or after 25 ms, whichever comes first).
 */
class JsonlSpanExporter {
  constructor(path) {
    this.fd = fs.openSync(path, 'a', 0o600);
    this.buffer = '';
    /** Spans handed to `export`, to check that a run dropped none. */
    this.exported = 0;
    this.timer = undefined;
    this.onTimer = () => {
      this.timer = undefined;
      this.flushNow();
    };
  }

  export(spans, resultCallback) {
    this.exported += spans.length;
    for (const span of spans) {
      const ctx = span.spanContext();
      const record = {
        type: 'span',
        traceId: ctx.traceId,
        spanId: ctx.spanId,
        parentId: span.parentSpanContext?.spanId,
        name: span.name,
        kind: span.kind,
        startTime: hrToMicros(span.startTime),
        duration: hrToNanos(span.duration),
        status: span.status,
        attributes: span.attributes,
        events: span.events.map((e) => ({
          name: e.name,
          time: hrToMicros(e.time),
          attributes: e.attributes,
        })),
        links: span.links.map((l) => ({
          traceId: l.context.traceId,
          spanId: l.context.spanId,
          attributes: l.attributes,
        })),
      };
      this.buffer += JSON.stringify(record) + '\n';
    }
    if (this.buffer.length >= highWaterMark) {
      this.flushNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimer, flushInterval);
      this.timer.unref();
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  flushNow() {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    fs.writeSync(this.fd, chunk);
  }

  forceFlush() {
    this.flushNow();
    return Promise.resolve();
  }

  shutdown() {
    this.flushNow();
    fs.closeSync(this.fd);
    return Promise.resolve();
  }
}

export default JsonlSpanExporter;
