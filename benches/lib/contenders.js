// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
// The contenders of the traced-call cases, each set up alone in its own
// process (lib/isolatedChild.js): the same method untraced (the baseline),
// the floor, spantrail's `@traced`, and OpenTelemetry's `startActiveSpan`
// with a batch and with a simple span processor.
import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Tracer, setTracer } from './spantrail.js';
import { loadTraced, decorate } from './decorate.js';
import { createOtel, otelTraced, otelWithParent } from './otel.js';
import { consume } from './harness.js';

/** What a record of a short call weighs in the floor: 300 bytes. */
const floorLine = '{"pad":"' + 'x'.repeat(289) + '"}\n';
const highWaterMark = 64 * 1024;

/**
 * The bare cost of what tracing a call cannot avoid: making the span the
 * active context (`AsyncLocalStorage.run`) and appending two pre-built
 * lines (a start and an end record) to a buffer written in 64 KiB batches.
 */
class FloorWriter {
  constructor(file) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.buffer = '';
  }
  append() {
    this.buffer += floorLine;
    this.buffer += floorLine;
    if (this.buffer.length >= highWaterMark) this.flush();
  }
  flush() {
    if (this.buffer === '') return;
    fs.writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/**
 * The contenders for one method shape: `shape.create()` returns a fresh
 * class whose `shape.method` is traced, called as `obj[method](arg(i))`
 * (awaited when `shape.async`); one call makes `shape.spans` spans.
 */
function contendersFor(shape) {
  const { method, spans } = shape;
  const arg = shape.arg ?? ((i) => i);
  const loop = shape.async
    ? async (obj, n) => {
        for (let i = 0; i < n; i++) consume(await obj[method](arg(i)));
      }
    : (obj, n) => {
        for (let i = 0; i < n; i++) consume(obj[method](arg(i)));
      };
  const warmup = (calls) => Math.max(1000, calls >> 3);
  return {
    async untraced() {
      const als = new AsyncLocalStorage();
      const obj = new (shape.create())();
      return { run: (n) => als.run({}, () => loop(obj, n)), close() {} };
    },
    async floor({ dir }) {
      const als = new AsyncLocalStorage();
      const writer = new FloorWriter(path.join(dir, 'floor.jsonl'));
      const store = {};
      const Class = shape.create();
      const original = Class.prototype[method];
      Class.prototype[method] = function (...args) {
        return als.run(store, () => {
          writer.append();
          return original.apply(this, args);
        });
      };
      const obj = new Class();
      return {
        run: (n) => als.run({}, () => loop(obj, n)),
        settle: () => writer.flush(),
        close: () => writer.close(),
      };
    },
    async spantrail({ dir }) {
      return spantrailContender(dir, {});
    },
    async 'spantrail, emitStart: false'({ dir }) {
      return spantrailContender(dir, { emitStart: false });
    },
    async 'OpenTelemetry, BatchSpanProcessor'({ dir, calls }) {
      // a queue that holds the whole run: a production queue (2048) would
      // drop most spans of a loop that never yields to the event loop
      const total = (calls + warmup(calls)) * spans;
      return otelContender(dir, { maxQueueSize: total + 1 }, total);
    },
    async 'OpenTelemetry, SimpleSpanProcessor'({ dir, calls }) {
      return otelContender(dir, undefined, (calls + warmup(calls)) * spans);
    },
  };

  async function spantrailContender(dir, options) {
    const traced = await loadTraced();
    const tracer = new Tracer({
      service: 'bench',
      output: path.join(dir, 'spantrail.jsonl'),
      ...options,
    });
    setTracer(tracer);
    const Class = shape.create();
    decorate(Class, method, traced());
    const obj = new Class();
    const parent = tracer.startSpan('request');
    return {
      run: (n) => tracer.withSpan(parent, () => loop(obj, n)),
      settle: () => tracer.flush(),
      close: () => tracer.close(),
    };
  }

  async function otelContender(dir, batch, total) {
    const otel = createOtel(path.join(dir, 'otel.jsonl'), batch);
    const Class = shape.create();
    Class.prototype[method] = otelTraced(
      otel.tracer,
      `${Class.name}.${method}`,
      Class.prototype[method],
    );
    const obj = new Class();
    return {
      run: (n) => otelWithParent(otel.tracer, () => loop(obj, n)),
      settle: () => otel.provider.forceFlush(),
      close: () => otel.close(),
      check() {
        // every span reached the exporter: nothing was dropped
        if (otel.exporter.exported !== total) {
          throw new Error(
            `OpenTelemetry exported ${otel.exporter.exported} of ${total} spans`,
          );
        }
        return { exported: otel.exporter.exported };
      },
    };
  }
}

export { contendersFor, floorLine };
