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
});
