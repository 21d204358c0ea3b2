import type { AddressInfo } from 'node:net';
import type { Span } from '../../src/index.js';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import {
  instrumentHttp,
  instrumentFetch,
  withoutInstrumentation,
  SpanKind,
} from '../../src/index.js';
import { collectingTracer } from '../decorators/utils.js';

// The functions behind the preload, set up in code, on a real loopback
// server in this process.

const c = collectingTracer();
let server: http.Server;
let base: string;
/** What the server saw of the last request, and the span active there. */
let last: { traceparent?: string; tracestate?: string; active?: Span } = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    last = {
      traceparent: req.headers.traceparent as string | undefined,
      tracestate: req.headers.tracestate as string | undefined,
      active: c.tracer.activeSpan(),
    };
    // work the handler does is a child of its SERVER span
    const work = c.tracer.startSpan('handler.work');
    setTimeout(() => {
      work.end();
      res.setHeader('x-answer', '42');
      res.end('ok');
    }, 2);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<string>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Spans end on events after the response; wait until `n` have ended. */
async function settle(n: number): Promise<void> {
  for (let i = 0; i < 100 && c.spans.length < n; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('instrumentHttp and instrumentFetch in code', () => {
  test('client, server and the handler’s work in one trace', async () => {
    const i = instrumentHttp(c.tracer);
    try {
      c.spans.length = 0;
      await c.tracer.startActiveSpan('job', () => get(`${base}/a`));
      await settle(4);
      const job = c.byName('job');
      const client = c.spans.find((s) => s.kind === SpanKind.CLIENT)!;
      const server = c.spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(client.parentId).toBe(job.spanId);
      expect(server.parentId).toBe(client.spanId.slice(-16));
      expect(server.traceId).toBe(job.traceId);
      expect(last.active).toBe(server);
      expect(c.byName('handler.work').parentId).toBe(server.spanId);
    } finally {
      i.uninstrument();
    }
  });

  test('a remote parent and its tracestate carry on to the calls made', async () => {
    const i = instrumentHttp(c.tracer);
    const f = instrumentFetch(c.tracer);
    try {
      c.spans.length = 0;
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      // an outside caller (not instrumented) hands in its context
      const r = await withoutInstrumentation(() =>
        fetch(`${base}/in`, {
          headers: {
            traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
            tracestate: 'vendor=abc',
          },
        }),
      );
      await r.text();
      await settle(2);
      const server = c.spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(server.traceId).toBe(traceId);
      expect(server.parentId).toBe('00f067aa0ba902b7');
      // a call made under that span forwards the tracestate
      await c.tracer
        .withSpan(server, () => fetch(`${base}/out`))
        .then((x) => x.text());
      expect(last.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
      expect(last.tracestate).toBe('vendor=abc');
    } finally {
      i.uninstrument();
      f.uninstrument();
    }
  });

  test('headers and query values only when asked', async () => {
    const i = instrumentHttp(c.tracer, {
      recordQuery: true,
      requestHeaders: ['X-Asked'],
      responseHeaders: ['x-answer'],
      server: false,
    });
    try {
      c.spans.length = 0;
      await get(`${base}/q?k=v`, { 'x-asked': 'yes', 'x-other': 'no' });
      await settle(2);
      const client = c.spans.find((s) => s.kind === SpanKind.CLIENT)!;
      expect(client.attributes!['url.full']).toBe(`${base}/q?k=v`);
      expect(client.attributes!['http.request.header.x-asked']).toEqual([
        'yes',
      ]);
      expect(client.attributes!['http.response.header.x-answer']).toEqual([
        '42',
      ]);
      expect(JSON.stringify(client.attributes)).not.toContain('x-other');
      expect(c.spans.some((s) => s.kind === SpanKind.SERVER)).toBe(false);
    } finally {
      i.uninstrument();
    }
  });

  test('propagate: false sends no traceparent; uninstrument stops all', async () => {
    const i = instrumentHttp(c.tracer, { propagate: false });
    c.spans.length = 0;
    await get(`${base}/p`);
    await settle(2);
    expect(last.traceparent).toBeUndefined();
    expect(c.spans).toHaveLength(3); // client, server, handler.work
    i.uninstrument();
    c.spans.length = 0;
    await get(`${base}/p`);
    await settle(1);
    expect(c.spans.map((s) => s.name)).toEqual(['handler.work']);
  });

  test('fetch: a traceparent the program set is replaced, not doubled', async () => {
    const f = instrumentFetch(c.tracer);
    const h = instrumentHttp(c.tracer, { client: false });
    try {
      c.spans.length = 0;
      const stale = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await (
        await fetch(`${base}/f`, { headers: { traceparent: stale } })
      ).text();
      await settle(3);
      const client = c.spans.find((s) => s.kind === SpanKind.CLIENT)!;
      expect(last.traceparent).toBe(
        `00-${client.traceId}-${client.spanId.slice(-16)}-01`,
      );
      const server = c.spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(server.parentId).toBe(client.spanId.slice(-16));
    } finally {
      f.uninstrument();
      h.uninstrument();
    }
  });

  test('withoutInstrumentation: no span, no header', async () => {
    const f = instrumentFetch(c.tracer);
    try {
      c.spans.length = 0;
      const response = await withoutInstrumentation(() => fetch(`${base}/s`));
      await response.text();
      await settle(1);
      expect(last.traceparent).toBeUndefined();
      expect(c.spans.map((s) => s.name)).toEqual(['handler.work']);
    } finally {
      f.uninstrument();
    }
  });

  test('https: the same spans, scheme https, traceparent through TLS', async () => {
    const tls = path.join(import.meta.dirname, '../fixtures/http/tls');
    const cert = fs.readFileSync(path.join(tls, 'cert.pem'));
    const key = fs.readFileSync(path.join(tls, 'key.pem'));
    let seen: string | undefined;
    const secure = https.createServer({ cert, key }, (req, res) => {
      seen = req.headers.traceparent as string | undefined;
      res.end('ok');
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    const port = (secure.address() as AddressInfo).port;
    const i = instrumentHttp(c.tracer);
    try {
      c.spans.length = 0;
      await new Promise<void>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/s?k=v', ca: cert }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
      await settle(2);
      const client = c.spans.find((s) => s.kind === SpanKind.CLIENT)!;
      const server = c.spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(client.attributes!['url.full']).toBe(
        `https://127.0.0.1:${port}/s?k=REDACTED`,
      );
      expect(server.attributes!['url.scheme']).toBe('https');
      expect(seen).toBe(`00-${client.traceId}-${client.spanId.slice(-16)}-01`);
      expect(server.parentId).toBe(client.spanId.slice(-16));
    } finally {
      i.uninstrument();
      secure.closeAllConnections();
      await new Promise((r) => secure.close(r));
    }
  });

  test('an upgrade (WebSocket handshake) ends its CLIENT span with 101', async () => {
    const onUpgrade = (_req: unknown, socket: any) => {
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' +
          'Connection: Upgrade\r\n\r\n',
      );
    };
    server.on('upgrade', onUpgrade);
    const i = instrumentHttp(c.tracer);
    try {
      c.spans.length = 0;
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${base}/ws`, {
          headers: { connection: 'Upgrade', upgrade: 'websocket' },
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(101);
      await settle(1);
      const [client] = c.spans;
      expect(client.kind).toBe(SpanKind.CLIENT);
      expect(client.attributes!['http.response.status_code']).toBe(101);
      expect(client.status.code).toBe(0);
    } finally {
      i.uninstrument();
      server.off('upgrade', onUpgrade);
    }
  });

  test('a request abort()ed before its answer ends with ERROR', async () => {
    const i = instrumentHttp(c.tracer, { server: false });
    try {
      c.spans.length = 0;
      const req = http.get(`${base}/abort`);
      req.on('error', () => undefined);
      await new Promise((r) => setImmediate(r));
      req.abort();
      await settle(1);
      const client = c.spans.find((s) => s.kind === SpanKind.CLIENT)!;
      expect(client.status.code).toBe(2);
      // Node reports it as a reset socket, or only closes the request
      expect(['ECONNRESET', 'aborted']).toContain(
        client.attributes!['error.type'],
      );
    } finally {
      i.uninstrument();
    }
  });

  test('bad arguments throw the documented TypeError', () => {
    expect(() => instrumentHttp(undefined as any)).toThrow(TypeError);
    expect(() => instrumentFetch({} as any)).toThrow(TypeError);
    expect(() => instrumentHttp(c.tracer, 3 as any)).toThrow(TypeError);
  });
});
