import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTrace } from '../utils/schema.js';

const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '../..',
);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-http-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// CommonJS, because @opentelemetry/instrumentation-http patches `node:http`
// through require-in-the-middle; spantrail's ESM build is imported.
const script = `
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');
const root = process.env.SPANTRAIL_ROOT;
const req = createRequire(root + '/package.json');
(async () => {
  const { SpantrailTracerProvider } = await import(pathToFileURL(root + '/dist/otel/index.js').href);
  const { registerInstrumentations } = req('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = req('@opentelemetry/instrumentation-http');
  const provider = new SpantrailTracerProvider({ output: process.env.TRACE_FILE, service: 'http-test' });
  if (!provider.register()) throw new Error('register failed');
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  const tracer = provider.tracer;
  const http = req('node:http');
  let traceparent;
  const server = http.createServer((request, response) => {
    traceparent = request.headers.traceparent;
    tracer.startActiveSpan('handler', () => {
      response.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  await tracer.startActiveSpan('client-call', () =>
    new Promise((resolve, reject) => {
      http
        .get('http://127.0.0.1:' + port + '/hello?x=1', (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    }),
  );
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ traceparent }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
`;

function run(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('@opentelemetry/instrumentation-http through spantrail/otel', () => {
  test('client and server spans land in spantrail’s JSONL, in one tree', async () => {
    const file = path.join(tmp, 'script.cjs');
    const traceFile = path.join(tmp, 'http.jsonl');
    fs.writeFileSync(file, script);
    const r = await run(file, { SPANTRAIL_ROOT: root, TRACE_FILE: traceFile });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { traceparent } = JSON.parse(r.stdout);
    const records = parseTrace(fs.readFileSync(traceFile, 'utf8'));
    const spans = records.filter((x) => x.type === 'span');
    const call = spans.find((s) => s.name === 'client-call');
    const client = spans.find((s) => s.kind === 2);
    const server = spans.find((s) => s.kind === 1);
    const handler = spans.find((s) => s.name === 'handler');
    expect(call && client && server && handler).toBeTruthy();
    // client span: child of the spantrail span around the request
    expect(client.parentId).toBe(call.spanId);
    // the client sent its own id; the server continued it
    expect(traceparent).toBe(
      `00-${call.traceId}-${client.spanId.slice(16)}-01`,
    );
    // same process, so the 16-hex parent maps back to the full id
    expect(server.parentId).toBe(client.spanId);
    expect(handler.parentId).toBe(server.spanId);
    for (const s of [client, server, handler])
      expect(s.traceId).toBe(call.traceId);
    const method = (a: any) => a['http.request.method'] ?? a['http.method'];
    const status = (a: any) =>
      a['http.response.status_code'] ?? a['http.status_code'];
    expect(method(client.attributes)).toBe('GET');
    expect(method(server.attributes)).toBe('GET');
    expect(status(client.attributes)).toBe(200);
    expect(status(server.attributes)).toBe(200);
    expect(client.attributes['otel.scope.name']).toBe(
      '@opentelemetry/instrumentation-http',
    );
    expect(JSON.stringify(server.attributes)).toContain('/hello');
  });
});
