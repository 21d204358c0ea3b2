import { afterAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SpanKind,
  SpanStatusCode,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import JsonlSpanExporter from '../../src/otel/JsonlSpanExporter.js';
import type { ReadableSpanLike } from '../../src/otel/JsonlSpanExporter.js';
import { parseTrace } from '../utils/schema.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-otel-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('JsonlSpanExporter', () => {
  test('an OpenTelemetry SDK pipeline writes spantrail JSONL', async () => {
    const file = path.join(tmp, 'sdk.jsonl');
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk-app' }),
      spanProcessors: [
        new BatchSpanProcessor(new JsonlSpanExporter(file)),
        new SimpleSpanProcessor(memory),
      ],
    });
    const tracer = provider.getTracer('lib', '1.0.0');
    const root = tracer.startSpan('root', {
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'GET' },
    });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    const child = tracer.startSpan(
      'child',
      {
        attributes: { n: 1, list: [1, 2] },
        links: [{ context: root.spanContext() }],
      },
      ctx,
    );
    child.addEvent('evt', { a: 'b' });
    child.recordException(new TypeError('bad'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.end();
    root.end();
    // the in-memory exporter forgets its spans on shutdown
    const finished = new Map(memory.getFinishedSpans().map((s) => [s.name, s]));
    await provider.shutdown();
    const records = parseTrace(fs.readFileSync(file, 'utf8'));
    expect(records[0]).toMatchObject({ type: 'meta', service: 'sdk-app' });
    const spans = new Map(
      records.filter((r) => r.type === 'span').map((r) => [r.name, r]),
    );
    const r = spans.get('root');
    const c = spans.get('child');
    // the OTel id is the low half; parents are written as 16-hex ids
    expect(r.spanId.slice(16)).toBe(root.spanContext().spanId);
    expect(c.spanId.slice(16)).toBe(child.spanContext().spanId);
    expect(c.parentId).toBe(root.spanContext().spanId);
    expect(r.spanId.endsWith(c.parentId)).toBe(true);
    expect(c.traceId).toBe(root.spanContext().traceId);
    expect(r.kind).toBe(1);
    expect(c.status).toEqual({ code: 2, message: 'failed' });
    expect(c.attributes).toMatchObject({
      n: 1,
      list: [1, 2],
      'otel.scope.name': 'lib',
      'otel.scope.version': '1.0.0',
    });
    expect(c.events.map((e: any) => e.name)).toEqual(['evt', 'exception']);
    expect(c.links[0].spanId).toBe(root.spanContext().spanId);
    // times agree with the SDK's to the microsecond
    const f = finished.get('child')!;
    expect(c.startTime).toBe(
      f.startTime[0] * 1e6 + Math.floor(f.startTime[1] / 1e3),
    );
    expect(c.duration).toBe(f.duration[0] * 1e9 + f.duration[1]);
    // the 32-hex id carries the start time, as spantrail ids do
    const tick = parseInt(c.spanId.slice(0, 12), 16);
    expect(
      Math.abs(Math.floor(tick / 4096) - Math.floor(c.startTime / 1e6)),
    ).toBeLessThanOrEqual(1);
  });

  test('export reports failure once the output is shut down', async () => {
    const exporter = new JsonlSpanExporter(path.join(tmp, 'closed.jsonl'));
    await exporter.shutdown();
    const result = await new Promise<any>((resolve) =>
      exporter.export([], resolve),
    );
    expect(result.code).toBe(1);
  });

  /** A finished span as the SDK hands it over. */
  function readable(i: number): ReadableSpanLike {
    const hex = (n: number, width: number): string =>
      (n + 1).toString(16).padStart(width, '0');
    return {
      name: `span-${i}`,
      kind: SpanKind.INTERNAL,
      spanContext: () => ({
        traceId: hex(i, 32),
        spanId: hex(i, 16),
        traceFlags: 1,
      }),
      startTime: [1763730000 + i, 0],
      duration: [0, 1000],
      status: { code: SpanStatusCode.UNSET },
      attributes: { payload: 'x'.repeat(200) },
      links: [],
      events: [],
      resource: { attributes: { 'service.name': 'small-buffer' } },
    };
  }

  test('a batch larger than the buffer: spans are written or dropped one by one', async () => {
    const file = path.join(tmp, 'small-buffer.jsonl');
    const exporter = new JsonlSpanExporter(file, { bufferSize: 2048 });
    const spans = Array.from({ length: 20 }, (_, i) => readable(i));
    const result = await new Promise<any>((resolve) =>
      exporter.export(spans, resolve),
    );
    expect(result.code).toBe(0);
    // Empty the buffer so that the `dropped` record fits at close.
    await exporter.forceFlush();
    await exporter.shutdown();
    const records = parseTrace(fs.readFileSync(file, 'utf8'));
    const written = records.filter((r) => r.type === 'span').length;
    const dropped = records
      .filter((r) => r.type === 'dropped')
      .reduce((n, r) => n + r.count, 0);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(20);
    expect(written + dropped).toBe(20);
  });

  test('export reports failure when the output has failed', async () => {
    const errors: Array<unknown> = [];
    const exporter = new JsonlSpanExporter(
      () => {
        throw new Error('disk full');
      },
      { sync: true, onError: (e) => errors.push(e) },
    );
    const result = await new Promise<any>((resolve) =>
      exporter.export([readable(0)], resolve),
    );
    expect(result.code).toBe(1);
    expect(result.error.message).toBe('disk full');
    expect(errors).toHaveLength(1);
    await exporter.shutdown();
  });

  test('any kind and status code the SDK lets through is written as format v1', async () => {
    // the SDK checks neither; out of range, or naming an array property,
    // they must not reach the writer's lookup tables
    const cases: Array<[unknown, unknown, number, number]> = [
      [7, 0, SpanKind.INTERNAL, SpanStatusCode.UNSET],
      [-1, 0, SpanKind.INTERNAL, SpanStatusCode.UNSET],
      [1.5, 0, SpanKind.INTERNAL, SpanStatusCode.UNSET],
      ['length', 0, SpanKind.INTERNAL, SpanStatusCode.UNSET],
      ['constructor', 0, SpanKind.INTERNAL, SpanStatusCode.UNSET],
      [SpanKind.SERVER, 3, SpanKind.SERVER, SpanStatusCode.UNSET],
      [SpanKind.CLIENT, 'length', SpanKind.CLIENT, SpanStatusCode.UNSET],
      [SpanKind.PRODUCER, SpanStatusCode.ERROR, SpanKind.PRODUCER, 2],
    ];
    for (const [i, [kind, code, wantKind, wantCode]] of cases.entries()) {
      const file = path.join(tmp, `odd-${i}.jsonl`);
      const provider = new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(new JsonlSpanExporter(file))],
      });
      const span = provider
        .getTracer('t')
        .startSpan('op', { kind: kind as any });
      span.setStatus({ code: code as any });
      span.end();
      await provider.shutdown();
      const spans = parseTrace(fs.readFileSync(file, 'utf8')).filter(
        (r) => r.type === 'span',
      );
      expect(spans).toHaveLength(1);
      expect(spans[0]).toMatchObject({
        kind: wantKind,
        status: { code: wantCode },
      });
    }
  });
});
