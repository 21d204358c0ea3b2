import { describe, expect, test } from '@jest/globals';
import http from 'node:http';
import { Tracer } from '../../src/index.js';
import HttpTransport, {
  maxResponseBytes,
  readBounded,
} from '../../src/otlp/HttpTransport.js';
import OtlpHttpExporter from '../../src/otlp/OtlpHttpExporter.js';
import { freePort } from './helpers.js';

/**
 * A collector that answers every request with `status` and a body that
 * never ends: it writes as long as the client reads. Counts what it wrote.
 */
async function endlessCollector(status: number) {
  let written = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port as number;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    written: () => written,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function transport(url: string): HttpTransport {
  return new HttpTransport({
    url,
    headers: {},
    contentType: 'application/x-protobuf',
    gzip: false,
    timeout: 20_000,
    maxAttempts: 1,
    initialBackoff: 1,
    maxBackoff: 1,
    maxRetryAfter: 1,
  });
}

describe('HttpTransport reads at most 64 KiB of an answer', () => {
  test.each([200, 400])(
    'an endless body with status %i: the delivery ends, the rest is never read',
    async (status) => {
      const collector = await endlessCollector(status);
      try {
        const r = await transport(collector.url).deliver(new Uint8Array(10));
        expect(r.ok).toBe(status === 200);
        if (!r.ok) {
          // the error keeps a short excerpt of the answer
          expect(String(r.error)).toMatch(/^Error: HTTP 400: x+$/);
          expect(String(r.error).length).toBeLessThan(300);
        }
        // the socket buffers hold a few MiB at most: nothing like the
        // gigabytes an endless answer would push into memory if read
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(collector.written()).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await collector.close();
      }
    },
  );

  test('readBounded keeps the first 64 KiB and cancels the rest', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10_000).fill(0x61));
      },
    });
    const text = await readBounded(new Response(body), maxResponseBytes);
    expect(text).toBe('a'.repeat(maxResponseBytes));
    expect(pulled).toBeLessThan(20);
    expect(await readBounded(new Response(null), 10)).toBe('');
    expect(await readBounded(new Response('héllo'), 1024)).toBe('héllo');
  });
});

describe('OtlpHttpExporter bounds its queue in bytes', () => {
  test('large spans are dropped and counted once the bytes are used up', async () => {
    const port = await freePort();
    const errors: Array<unknown> = [];
    const exporter = new OtlpHttpExporter({
      url: `http://127.0.0.1:${port}/v1/traces`,
      maxQueueBytes: 1024 * 1024,
      scheduledDelay: 60_000,
      maxBatchSize: 2048,
      maxAttempts: 1,
      env: {},
      onError: (e) => errors.push(e),
    });
    const tracer = new Tracer({ output: exporter });
    const big = 'v'.repeat(4096);
    for (let i = 0; i < 1000; i++) {
      const span = tracer.startSpan('big');
      for (let k = 0; k < 8; k++) span.setAttribute(`k${k}`, big);
      span.end();
    }
    // 1000 spans of about 64 KiB each: far more than 1 MiB
    expect(exporter.queued).toBeGreaterThan(0);
    expect(exporter.queued).toBeLessThan(20);
    expect(exporter.droppedSpans).toBe(1000 - exporter.queued);
    expect(errors.some((e) => /queue full .* bytes/.test(String(e)))).toBe(
      true,
    );
    await tracer.close();
  });

  test('maxQueueBytes must be positive', () => {
    expect(
      () => new OtlpHttpExporter({ maxQueueBytes: 0, env: {} } as any),
    ).toThrow(/maxQueueBytes/);
  });
});
