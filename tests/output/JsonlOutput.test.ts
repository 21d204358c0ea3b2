import { afterAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { Tracer } from '../../src/index.js';
import JsonlOutput from '../../src/output/JsonlOutput.js';
import type Span from '../../src/Span.js';
import { spanLine } from '../../src/format/writer.js';
import { fcParams } from '../utils/fc.js';
import { parseTrace } from '../utils/schema.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-output-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Op =
  | { op: 'start'; parent: number | null }
  | { op: 'end'; which: number }
  | { op: 'attr'; which: number; value: string | number | boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('start' as const),
    parent: fc.option(fc.nat(50), { nil: null }),
  }),
  fc.record({ op: fc.constant('end' as const), which: fc.nat(50) }),
  fc.record({
    op: fc.constant('attr' as const),
    which: fc.nat(50),
    value: fc.oneof(fc.string(), fc.double(), fc.boolean()),
  }),
);

/** Applies one span operation to the spans made so far. */
function applyOp(tracer: Tracer, spans: Array<Span>, o: Op): void {
  if (o.op === 'start') {
    const parent =
      o.parent === null || spans.length === 0
        ? null
        : spans[o.parent % spans.length];
    spans.push(tracer.startSpan(`s${spans.length}`, { parent }));
  } else if (spans.length > 0) {
    const span = spans[o.which % spans.length];
    if (o.op === 'end') span.end();
    else span.setAttribute('v', o.value);
  }
}

describe('JSONL output', () => {
  test('random span trees give a valid, complete, consistent JSONL', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 120 }),
        fc.boolean(),
        async (ops, emitStart) => {
          const file = path.join(tmp, `prop-${run++}.jsonl`);
          const tracer = new Tracer({
            output: file,
            emitStart,
            context: 'shim',
            bufferSize: 1 << 20,
          });
          const spans: Array<Span> = [];
          for (const o of ops) applyOp(tracer, spans, o);
          const ended = new Set(
            spans.filter((s) => s.isEnded()).map((s) => s.spanId),
          );
          await tracer.close();
          const records = parseTrace(fs.readFileSync(file, 'utf8'));
          expect(records[0].type).toBe('meta');
          const starts = records.filter((r) => r.type === 'start');
          const finished = records.filter((r) => r.type === 'span');
          // every ended span exactly once, nothing else
          expect(finished.map((r) => r.spanId).sort()).toEqual(
            [...ended].sort(),
          );
          const ids = spans.map((s) => s.spanId);
          expect(new Set(ids).size).toBe(ids.length);
          // ids sort by start
          expect([...ids].sort()).toEqual(ids);
          if (emitStart) {
            // nothing was flushed before close: start records exactly for
            // the spans still open then
            expect(starts.map((r) => r.spanId)).toEqual(
              ids.filter((id) => !ended.has(id)),
            );
          } else {
            expect(starts).toHaveLength(0);
          }
          // every parent resolves to a span of the same trace
          const byId = new Map(spans.map((s) => [s.spanId, s]));
          for (const r of [...starts, ...finished]) {
            if (r.parentId === undefined) continue;
            expect(byId.get(r.parentId)?.traceId).toBe(r.traceId);
          }
        },
      ),
      fcParams({ numRuns: 60 }),
    );
  });

  test('after any flush, the file holds a record of every span begun before it (a crash then loses no begun span)', async () => {
    let run = 0;
    // 'big' ends a span of about 40 KiB: two of them cross the 64 KiB
    // high-water mark, which writes the batch on the spot
    const flushOp = fc.record({
      op: fc.constantFrom('flushSync', 'flush', 'timer', 'big'),
    });
    const bigValue = 'b'.repeat(40 * 1024);
    let highWaterFlushes = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(opArb, flushOp), { maxLength: 250 }),
        async (ops) => {
          const file = path.join(tmp, `crash-${run++}.jsonl`);
          const tracer = new Tracer({
            output: file,
            context: 'shim',
            flushInterval: 0,
            limits: { attributeValueLengthLimit: bigValue.length },
          });
          const spans: Array<Span> = [];
          // the file as a crash right after each flush would leave it
          const check = () => {
            const ids = new Set(
              parseTrace(fs.readFileSync(file, 'utf8'))
                .filter((r) => r.type === 'start' || r.type === 'span')
                .map((r) => r.spanId),
            );
            for (const s of spans) expect(ids.has(s.spanId)).toBe(true);
          };
          for (const o of ops as Array<any>) {
            if (o.op === 'flushSync') {
              tracer.flushSync();
              check();
            } else if (o.op === 'flush') {
              await tracer.flush();
              check();
            } else if (o.op === 'timer') {
              // the output's own timer runs; then the batch has left
              await new Promise((r) => setTimeout(r, 2));
              check();
            } else if (o.op === 'big') {
              const size = fs.statSync(file).size;
              const big = tracer.startSpan('big');
              spans.push(big);
              big.setAttribute('v', bigValue);
              big.end();
              // the file grew within this synchronous step: the high-water
              // mark wrote the batch
              if (fs.statSync(file).size > size) {
                highWaterFlushes++;
                check();
              }
            } else {
              applyOp(tracer, spans, o);
            }
          }
          await tracer.close();
          check();
          // a span has a start record only if it was open when written
          const records = parseTrace(fs.readFileSync(file, 'utf8'));
          const finished = new Set(
            records.filter((r) => r.type === 'span').map((r) => r.spanId),
          );
          for (const s of spans) {
            expect(finished.has(s.spanId)).toBe(s.isEnded());
          }
        },
      ),
      fcParams({ numRuns: 40 }),
    );
    expect(highWaterFlushes).toBeGreaterThan(0);
  });

  test('a file output is created with mode 0600 and parent folders, and appends', async () => {
    const file = path.join(tmp, 'deep/er/trace.jsonl');
    for (let i = 0; i < 2; i++) {
      const tracer = new Tracer({ output: file, context: 'shim' });
      tracer.startSpan(`run${i}`).end();
      await tracer.close();
      await tracer.close();
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const records = parseTrace(fs.readFileSync(file, 'utf8'));
    expect(records.filter((r) => r.type === 'meta')).toHaveLength(2);
    expect(records.filter((r) => r.type === 'span').map((r) => r.name)).toEqual(
      ['run0', 'run1'],
    );
  });

  test('records are batched: one write for many spans', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({
      output: (c: string) => chunks.push(c),
      context: 'shim',
    });
    for (let i = 0; i < 100; i++) tracer.startSpan('batched').end();
    const open = tracer.startSpan('open');
    expect(chunks).toHaveLength(0);
    tracer.flushSync();
    expect(chunks).toHaveLength(1);
    // meta, 100 spans that ended within the batch (no start records), the
    // start of the one still open, and the final newline
    const lines = chunks[0].split('\n');
    expect(lines).toHaveLength(103);
    expect(lines.filter((l) => l.includes('"type":"start"'))).toHaveLength(1);
    open.end();
  });

  test('sync: true writes each record before end() returns', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({
      output: (c: string) => chunks.push(c),
      sync: true,
      context: 'shim',
    });
    const span = tracer.startSpan('now');
    expect(chunks.at(-1)).toContain('"type":"start"');
    span.end();
    expect(chunks.at(-1)).toContain('"type":"span"');
  });

  test('a slow Node Writable gets backpressure, bounded memory and a drop count', async () => {
    const received: Array<string> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, cb) {
        received.push(chunk.toString());
        void gate.then(() => setTimeout(cb, 1));
      },
    });
    const bufferSize = 16 * 1024;
    const output = new JsonlOutput(slow, { bufferSize, flushInterval: 0 });
    const tracer = new Tracer({ output, context: 'shim' });
    for (let i = 0; i < 2000; i++) {
      tracer.startSpan('flood', { attributes: { i } }).end();
      // the output never holds more than its bound
      expect((output as any).buffer.length).toBeLessThanOrEqual(bufferSize);
    }
    expect(output.droppedTotal).toBeGreaterThan(0);
    const dropped = output.droppedTotal;
    release();
    await tracer.flush();
    tracer.startSpan('after').end();
    await tracer.close();
    const records = parseTrace(received.join(''));
    const droppedRecords = records.filter((r) => r.type === 'dropped');
    expect(droppedRecords.reduce((n, r) => n + r.count, 0)).toBe(dropped);
    const kept = records.filter((r) => r.type === 'start' || r.type === 'span');
    // spans end at once: no start records, 2000 span records and `after`
    expect(kept.length + dropped).toBe(2001);
    expect(records.at(-1)).toMatchObject({ type: 'span', name: 'after' });
  });

  test('a WHATWG WritableStream receives UTF-8 lines', async () => {
    const decoder = new TextDecoder();
    let text = '';
    const stream = new WritableStream<Uint8Array>({
      write(chunk) {
        text += decoder.decode(chunk, { stream: true });
      },
    });
    const tracer = new Tracer({ output: stream, context: 'shim' });
    tracer.startSpan('web ✓').end();
    await tracer.close();
    const records = parseTrace(text);
    expect(records.map((r) => r.type)).toEqual(['meta', 'span']);
    expect(records[1].name).toBe('web ✓');
  });

  test('a WritableStream with a full queue waits for ready and loses nothing', async () => {
    const chunks: Array<Uint8Array> = [];
    const stream = new WritableStream<Uint8Array>(
      {
        async write(chunk) {
          await new Promise((r) => setTimeout(r, 2));
          chunks.push(chunk);
        },
      },
      { highWaterMark: 1 },
    );
    const tracer = new Tracer({
      output: stream,
      context: 'shim',
      flushInterval: 0,
    });
    for (let i = 0; i < 50; i++) {
      tracer.startSpan('q').end();
      await new Promise((r) => setImmediate(r));
    }
    await tracer.close();
    const text = chunks.map((c) => new TextDecoder().decode(c)).join('');
    const records = parseTrace(text);
    expect(records.filter((r) => r.type === 'span')).toHaveLength(50);
  });

  test('a Node stream error stops the output, is reported once, and tracing goes on', async () => {
    const failing = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('EPIPE-like'));
      },
    });
    const tracer = new Tracer({ output: failing, context: 'shim', sync: true });
    const errors: Array<unknown> = [];
    tracer.addEventListener('error', (e: any) => errors.push(e.error));
    for (let i = 0; i < 20; i++) {
      tracer.startSpan('x').end();
      await new Promise((r) => setImmediate(r));
    }
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('EPIPE-like');
    await tracer.close();
  });
});

describe('JSONL output edges', () => {
  test('flushSync with a full buffer still writes the dropped count after it', () => {
    const chunks: Array<string> = [];
    const output = new JsonlOutput((c: string) => chunks.push(c), {
      bufferSize: 2048,
    });
    const tracer = new Tracer({ output, context: 'shim' });
    for (let i = 0; i < 50; i++) tracer.startSpan('fill').end();
    expect(output.droppedTotal).toBeGreaterThan(0);
    tracer.flushSync();
    const records = parseTrace(chunks.join(''));
    const kept = records.filter((r) => r.type === 'start' || r.type === 'span');
    const dropped = records.filter((r) => r.type === 'dropped');
    expect(records.at(-1).type).toBe('dropped');
    expect(kept.length + dropped.reduce((n, r) => n + r.count, 0)).toBe(50);
  });

  test('nothing to write means no write: no empty chunks', async () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({
      output: (c: string) => chunks.push(c),
      context: 'shim',
    });
    tracer.startSpan('one').end();
    tracer.flushSync();
    tracer.flushSync();
    await tracer.close();
    expect(chunks.every((c) => c.length > 0)).toBe(true);
    expect(chunks).toHaveLength(1);
  });

  test('a closed output leaves no listener on its stream', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb();
      },
    });
    const before = stream.listenerCount('error');
    const tracer = new Tracer({ output: stream, context: 'shim' });
    expect(stream.listenerCount('error')).toBe(before + 1);
    await tracer.close();
    expect(stream.listenerCount('error')).toBe(before);
  });

  test('a span that ends last-started-first leaves the pending starts; one still open gets its start record', () => {
    const chunks: Array<string> = [];
    const output = new JsonlOutput((c: string) => chunks.push(c), {
      flushInterval: 1e6,
    });
    const tracer = new Tracer({ output, context: 'shim' });
    const pending = () => (output as any).started as Array<Span>;
    for (let i = 0; i < 200; i++) tracer.startSpan('x', { parent: null }).end();
    expect(pending().length).toBe(0);
    const a = tracer.startSpan('a', { parent: null });
    const b = tracer.startSpan('b', { parent: null });
    a.end();
    // not the last one started: it stays, and is skipped when written
    expect(pending().length).toBe(2);
    expect(pending()[1]).toBe(b);
    tracer.flushSync();
    const starts = parseTrace(chunks.join('')).filter(
      (r) => r.type === 'start',
    );
    expect(starts.map((r) => r.name)).toEqual(['b']);
  });

  test('a span record that exactly fills bufferSize is kept; one character more is dropped and counted', () => {
    const tracer = new Tracer({ context: 'shim' });
    const span = tracer.startSpan('fit', { parent: null });
    span.end();
    const meta = new JsonlOutput(() => {}, { flushInterval: 1e6 });
    const metaLength = (meta as any).buffer.length;
    void meta.close();
    const size = metaLength + spanLine(span).length;
    const output = new JsonlOutput(() => {}, {
      bufferSize: size,
      flushInterval: 1e6,
    });
    output.onEnd(span);
    expect(output.droppedTotal).toBe(0);
    expect((output as any).buffer.length).toBe(size);
    output.onEnd(span);
    expect(output.droppedTotal).toBe(1);
    expect((output as any).buffer.length).toBe(size);
    void output.close();
  });
});
