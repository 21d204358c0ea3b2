import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  test,
} from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tracer } from '../../src/index.js';
import OtlpHttpExporter from '../../src/otlp/OtlpHttpExporter.js';
import { ErrorOtlpExport } from '../../src/otlp/errors.js';
import { urlFromTarget } from '../../src/otlp/env.js';
import { toOtlpTracesData } from '../../src/format/otlp.js';
import { SpanKind, SpanStatusCode } from '../../src/constants.js';
import type { TracerErrorEvent } from '../../src/events.js';
import { parseTrace } from '../utils/schema.js';
import { decodeRequest, freePort, spansOf, startReceiver } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-otlp-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// every rejection the exporter could leak would land here
const unhandled: Array<unknown> = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(() => expect(unhandled).toEqual([]));

function makeSpans(tracer: Tracer, n: number, prefix = 's'): void {
  for (let i = 0; i < n; i++) {
    tracer.startActiveSpan(`${prefix}${i}`, (span) => {
      span.setAttribute('i', i);
      tracer.startSpan(`${prefix}${i}.child`).end();
    });
  }
}

describe('OtlpHttpExporter', () => {
  test('sends gzipped protobuf by default; the receiver decodes every span', async () => {
    const receiver = await startReceiver();
    const exporter = new OtlpHttpExporter({
      url: receiver.url,
      headers: { 'x-api-key': 'secret' },
      maxBatchSize: 7,
      env: {},
    });
    const tracer = new Tracer({ output: exporter, service: 'proto-svc' });
    makeSpans(tracer, 10);
    await tracer.close();
    await receiver.close();
    expect(receiver.received.length).toBeGreaterThanOrEqual(3);
    for (const r of receiver.received) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/v1/traces');
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers['x-api-key']).toBe('secret');
    }
    const decoded = receiver.received.map((r) => decodeRequest(r.body));
    const spans = spansOf(decoded);
    expect(spans.length).toBe(20);
    expect(new Set(spans.map((s) => s.name)).size).toBe(20);
    // children point at their parents' 16-hex ids, in the same trace
    const byName = new Map(spans.map((s) => [s.name, s]));
    for (let i = 0; i < 10; i++) {
      const parent = byName.get(`s${i}`);
      const child = byName.get(`s${i}.child`);
      expect(child.parentSpanId).toBe(parent.spanId);
      expect(child.traceId).toBe(parent.traceId);
      expect(parent.kind).toBe(1);
      expect(parent.attributes).toEqual([
        { key: 'i', value: expect.objectContaining({ intValue: String(i) }) },
      ]);
    }
    const resource = Object.fromEntries(
      decoded[0].resourceSpans[0].resource.attributes.map((kv: any) => [
        kv.key,
        kv.value.stringValue ?? kv.value.intValue,
      ]),
    );
    expect(resource['service.name']).toBe('proto-svc');
    expect(resource['process.pid']).toBe(String(process.pid));
    expect(resource['telemetry.sdk.name']).toBe('spantrail');
    expect(exporter.exportedSpans).toBe(20);
    expect(exporter.droppedSpans + exporter.failedSpans).toBe(0);
  });

  test('JSON beside a JSONL output: the same spans as `convert --to otlp` maps them', async () => {
    const receiver = await startReceiver();
    const file = path.join(tmp, 'beside.jsonl');
    const tracer = new Tracer({
      service: 'json-svc',
      output: [
        file,
        new OtlpHttpExporter({
          url: receiver.url,
          encoding: 'json',
          compression: 'none',
          env: {},
        }),
      ],
    });
    tracer.startActiveSpan('request', { kind: SpanKind.SERVER }, (span) => {
      span.addEvent('got it', { size: 3 });
      const link = tracer.startSpan('linked', {
        links: [{ context: span.spanContext() }],
      });
      link.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
      link.end();
    });
    await tracer.close();
    await receiver.close();
    expect(receiver.received.length).toBe(1);
    expect(receiver.received[0].headers['content-type']).toBe(
      'application/json',
    );
    expect(receiver.received[0].headers['content-encoding']).toBeUndefined();
    const sent = JSON.parse(receiver.received[0].body.toString('utf8'));
    const records = parseTrace(fs.readFileSync(file, 'utf8'));
    const meta = records.find((r) => r.type === 'meta');
    const spanRecords = records.filter((r) => r.type === 'span');
    const converted = toOtlpTracesData([
      { resource: meta, spans: spanRecords },
    ]);
    const sentSpans = spansOf([sent]);
    expect(sentSpans).toEqual(spansOf([converted]));
    const sentResource = sent.resourceSpans[0].resource.attributes;
    // the exporter's resource is the converter's, plus telemetry.sdk.*
    expect(sentResource).toEqual(
      expect.arrayContaining(converted.resourceSpans[0].resource.attributes),
    );
  });

  test('503 then 200: the batch is retried and nothing is lost', async () => {
    const receiver = await startReceiver((_r, i) => ({
      status: i < 2 ? 503 : 200,
    }));
    const exporter = new OtlpHttpExporter({
      url: receiver.url,
      initialBackoff: 5,
      env: {},
    });
    const tracer = new Tracer({ output: exporter });
    makeSpans(tracer, 5);
    await tracer.close();
    await receiver.close();
    expect(receiver.received.length).toBe(3);
    // the same batch each time
    const bodies = receiver.received.map((r) => r.body.toString('hex'));
    expect(new Set(bodies).size).toBe(1);
    expect(spansOf([decodeRequest(receiver.received[2].body)]).length).toBe(10);
    expect(exporter.retries).toBe(2);
    expect(exporter.exportedSpans).toBe(10);
    expect(exporter.failedSpans).toBe(0);
  });

  test('429 with Retry-After: the retry waits as long as asked', async () => {
    const receiver = await startReceiver((_r, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': '1' } }
        : { status: 200 },
    );
    const exporter = new OtlpHttpExporter({
      url: receiver.url,
      initialBackoff: 1,
      maxBackoff: 1,
      env: {},
    });
    const tracer = new Tracer({ output: exporter });
    makeSpans(tracer, 1);
    await tracer.close();
    await receiver.close();
    expect(receiver.received.length).toBe(2);
    // a lower bound only: the backoff alone would be 1 ms
    expect(
      receiver.received[1].time - receiver.received[0].time,
    ).toBeGreaterThanOrEqual(990);
    expect(exporter.exportedSpans).toBe(2);
  });

  test('400 is not retried: the batch is dropped, counted and reported', async () => {
    const receiver = await startReceiver(() => ({
      status: 400,
      body: 'bad data',
    }));
    const errors: Array<unknown> = [];
    const tracer = new Tracer({
      output: new OtlpHttpExporter({
        url: receiver.url,
        initialBackoff: 1,
        env: {},
        onError: (e) => errors.push(e),
      }),
    });
    const exporter = tracer.processors[0] as OtlpHttpExporter;
    makeSpans(tracer, 2);
    await tracer.close();
    await receiver.close();
    expect(receiver.received.length).toBe(1);
    expect(exporter.failedSpans).toBe(4);
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(ErrorOtlpExport);
    expect((errors[0] as ErrorOtlpExport).status).toBe(400);
    expect(String((errors[0] as any).cause)).toContain('bad data');
  });

  test('server down: the queue stays bounded, drops are counted, the program carries on', async () => {
    const port = await freePort();
    const errors: Array<unknown> = [];
    const exporter = new OtlpHttpExporter({
      url: `http://127.0.0.1:${port}/v1/traces`,
      maxQueueSize: 50,
      maxBatchSize: 10,
      maxAttempts: 3,
      initialBackoff: 5,
      env: {},
      onError: (e) => errors.push(e),
    });
    const tracer = new Tracer({ output: exporter });
    for (let round = 0; round < 5; round++) {
      makeSpans(tracer, 100, `r${round}.`);
      expect(exporter.queued).toBeLessThanOrEqual(50);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // the program carried on: all 1000 spans were made
    await tracer.close();
    expect(exporter.queued).toBe(0);
    expect(exporter.exportedSpans).toBe(0);
    expect(exporter.droppedSpans).toBeGreaterThan(0);
    expect(exporter.droppedSpans + exporter.failedSpans).toBe(1000);
    expect(
      errors.some((e) => String((e as Error).message).includes('queue full')),
    ).toBe(true);
    // fetch's network error (another realm's TypeError under jest)
    expect(
      errors.some((e) => ((e as Error).cause as Error)?.name === 'TypeError'),
    ).toBe(true);
  });

  test('slow server: span.end() never waits for the network', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const receiver = await startReceiver(() => ({ status: 200, after: gate }));
    const exporter = new OtlpHttpExporter({
      url: receiver.url,
      maxBatchSize: 50,
      maxQueueSize: 5000,
      env: {},
    });
    const tracer = new Tracer({ output: exporter });
    // the loop yields to the event loop, so requests do go out meanwhile
    for (let i = 0; i < 20; i++) {
      makeSpans(tracer, 50, `b${i}.`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // the traced program is done and the server has answered nothing yet:
    // one batch is out (waiting on the server), the rest waits in the queue
    expect(receiver.answered()).toBe(0);
    expect(exporter.queued).toBe(2000 - 50);
    release();
    await tracer.close();
    await receiver.close();
    expect(exporter.exportedSpans).toBe(2000);
  });

  test('close() waits at most shutdownTimeout, then aborts and counts what is lost', async () => {
    const never = new Promise(() => {});
    const receiver = await startReceiver(() => ({ status: 200, after: never }));
    const exporter = new OtlpHttpExporter({
      url: receiver.url,
      maxBatchSize: 5,
      shutdownTimeout: 200,
      env: {},
    });
    const tracer = new Tracer({ output: exporter });
    makeSpans(tracer, 10);
    await tracer.close();
    expect(exporter.exportedSpans).toBe(0);
    expect(exporter.droppedSpans + exporter.failedSpans).toBe(20);
    expect(exporter.queued).toBe(0);
    // spans ended after close are dropped, not queued
    tracer.startSpan('late').end();
    expect(exporter.queued).toBe(0);
    await receiver.close();
  });

  test("'otlp+http://host:port' outputs and the OTEL_* variables", async () => {
    const receiver = await startReceiver();
    const saved = { ...process.env };
    process.env.OTEL_EXPORTER_OTLP_HEADERS =
      'authorization=Bearer%20abc,x-team=core';
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_RESOURCE_ATTRIBUTES =
      'deployment.environment=test,service.name=ignored';
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${receiver.port}`;
    const errors: Array<unknown> = [];
    try {
      const byUrl = new Tracer({
        service: 'env-svc',
        output: `otlp+http://127.0.0.1:${receiver.port}`,
      });
      const byEnv = new Tracer({ service: 'env-svc2', output: 'otlp' });
      byUrl.addEventListener('error', (e) =>
        errors.push((e as TracerErrorEvent).error),
      );
      byUrl.startSpan('a').end();
      byEnv.startSpan('b').end();
      await byUrl.close();
      await byEnv.close();
    } finally {
      process.env = saved;
    }
    await receiver.close();
    expect(errors).toEqual([]);
    expect(receiver.received.length).toBe(2);
    for (const r of receiver.received) {
      expect(r.url).toBe('/v1/traces');
      expect(r.headers.authorization).toBe('Bearer abc');
      expect(r.headers['x-team']).toBe('core');
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body.toString());
      const attrs = Object.fromEntries(
        body.resourceSpans[0].resource.attributes.map((kv: any) => [
          kv.key,
          kv.value.stringValue,
        ]),
      );
      expect(attrs['deployment.environment']).toBe('test');
      expect(['env-svc', 'env-svc2']).toContain(attrs['service.name']);
    }
  });

  test('target strings', () => {
    expect(urlFromTarget('otlp+http://127.0.0.1:4318', {})).toBe(
      'http://127.0.0.1:4318/v1/traces',
    );
    expect(
      urlFromTarget('otlp+https://collector.example/custom/path', {}),
    ).toBe('https://collector.example/custom/path');
    expect(urlFromTarget('otlp', {})).toBe('http://localhost:4318/v1/traces');
    expect(
      urlFromTarget('otlp', {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:1/t',
      }),
    ).toBe('http://x:1/t');
    expect(
      urlFromTarget('otlp', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1/' }),
    ).toBe('http://x:1/v1/traces');
    expect(() => new Tracer({ output: 'otlp+http://' })).toThrow(TypeError);
    expect(
      () => new OtlpHttpExporter({ encoding: 'xml' as any, env: {} }),
    ).toThrow(TypeError);
  });
});

describe('OtlpHttpExporter at exit', () => {
  const root = path.resolve(
    path.dirname(new URL(import.meta.url).pathname),
    '../..',
  );
  // A real process for real `beforeExit`s, on the built package.
  const script = `
const { Tracer, OtlpHttpExporter } = await import(process.env.SPANTRAIL_INDEX);
const exporter = new OtlpHttpExporter({
  url: process.env.OTLP_URL,
  encoding: 'json',
  compression: 'none',
  scheduledDelay: 60000,
  env: {},
});
const tracer = new Tracer({ output: exporter, service: 'exit-test' });
tracer.startSpan('first').end();
let exits = 0;
// Runs after the exporter's listener, so this span ends while its flush
// is in flight; then one more from a later round.
process.on('beforeExit', () => {
  exits++;
  if (exits === 1) tracer.startSpan('during-flush').end();
  if (exits === 2) tracer.startSpan('next-round').end();
});
`;

  test('every beforeExit with pending spans flushes them', async () => {
    const index = path.join(root, 'dist/index.js');
    if (!fs.existsSync(index)) throw new Error(`${index} missing: build first`);
    const file = path.join(tmp, 'exit.mjs');
    fs.writeFileSync(file, script);
    const receiver = await startReceiver();
    const r = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [file], {
          env: {
            ...process.env,
            SPANTRAIL_INDEX: pathToFileURL(index).href,
            OTLP_URL: receiver.url,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (code) => resolve({ code, stderr }));
      },
    );
    await receiver.close();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = spansOf(
      receiver.received.map((x) => JSON.parse(x.body.toString('utf8'))),
    ).map((s: any) => s.name);
    expect(names.sort()).toEqual(['during-flush', 'first', 'next-round']);
  });
});
