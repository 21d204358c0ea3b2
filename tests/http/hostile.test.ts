import type { AddressInfo } from 'node:net';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  SpanKind,
  Tracer,
  instrumentFetch,
  instrumentHttp,
} from '../../src/index.js';
import { Hostile, hostileMakers, recordLabel } from '../utils/hostile.js';
import { parseTrace } from '../utils/schema.js';
import { fcParams } from '../utils/fc.js';

// The HTTP and fetch instrumentation given hostile requests: options,
// URLs, header objects and values, bodies, and responses and raw requests
// a server sees. Each call runs twice on a real loopback server, plain and
// instrumented: the program must see the same thing both times (the same
// throw, the same response or error), nothing may reach it as an uncaught
// exception (Jest fails the test on one), and every line written must be
// valid format v1.

/** Longest wait for one request, in ms (a hang is an outcome too). */
const callTimeout = 3000;

const chunks: Array<string> = [];
const tracerErrors: Array<unknown> = [];
const tracer = new Tracer({
  output: (chunk: string) => chunks.push(chunk),
  sync: true,
  service: 'hostile-http',
  limits: { attributeValueLengthLimit: 4096 },
});
tracer.addEventListener('error', (e: any) => tracerErrors.push(e.error));

/** Headers recorded both ways: every name the generators use. */
const headerNames = ['x-h', 'host', 'traceparent', 'tracestate', 'set-cookie'];
const instrumentOptions = {
  requestHeaders: headerNames,
  responseHeaders: headerNames,
};

function errorText(e: unknown): string {
  try {
    const x = e as any;
    return `${String(x?.name)}:${String(x?.code)}:${String(x?.message)}`;
  } catch {
    return 'unreadable error';
  }
}

/**
 * Only hostileMakers' values (`fc.anything()` may name a host to look up),
 * and no functions: where Node takes one it is the program's own callback,
 * and what it throws is the program's.
 */
const made: fc.Arbitrary<Hostile> = fc
  .constantFrom(
    ...Object.keys(hostileMakers).filter(
      (k) => k !== 'fn' && k !== 'functionProxy',
    ),
  )
  .map((k) => new Hostile(k, hostileMakers[k]));

const plain = <T>(label: string, value: T): Hostile =>
  new Hostile(label, () => value);

const text: fc.Arbitrary<Hostile> = fc
  .string({ unit: 'binary', maxLength: 30 })
  .map((s) => plain(JSON.stringify(s), s));

const headerName: fc.Arbitrary<Hostile> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...headerNames, 'TraceParent')
      .map((n) => plain(n, n)),
  },
  made,
  text,
);

/** Values that behave differently when read once more than Node reads them. */
const readTwice: fc.Arbitrary<Hostile> = fc
  .constantFrom(
    'secondToStringThrows',
    'onlySecondToStringThrows',
    'secondIndexThrows',
  )
  .map((k) => new Hostile(k, hostileMakers[k]));

const headerValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 2, arbitrary: readTwice },
  fc
    .constantFrom(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x',
      '',
      ['a', 'b'],
      42,
    )
    .map((v) => plain(JSON.stringify(v), v)),
  made,
  text,
);

const target: fc.Arbitrary<Hostile> = fc.oneof(
  fc
    .constantFrom(
      '/',
      '/a/b?user=1&token=secret#frag',
      '/%zz%',
      '/ space',
      '/\u{1F600}',
      '/a\ud800',
      '*',
      '//double',
      '/' + 'q'.repeat(10_000),
    )
    .map((p) => plain(JSON.stringify(p), p)),
  text,
  made,
);

/** An object of hostile header names and values, or a hostile value. */
const headers: fc.Arbitrary<Hostile> = fc.oneof(
  made,
  fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }).map(
    (pairs) =>
      new Hostile(
        `{${pairs.map(([n, v]) => `${n.label}: ${v.label}`).join(', ')}}`,
        () => {
          const o: Record<PropertyKey, unknown> = {};
          for (const [n, v] of pairs) {
            try {
              o[n.make() as any] = v.make();
            } catch {
              // a name that cannot be a key: left out
            }
          }
          return o;
        },
      ),
  ),
);

let port = 0;
let base = '';

/** Fields of a request's options, each sane or hostile. */
const requestOptions: fc.Arbitrary<Hostile> = fc.oneof(
  made,
  fc
    .record(
      {
        method: fc.oneof(
          fc
            .constantFrom('GET', 'POST', 'get', 'PURGE', 'M-SEARCH', '')
            .map((m) => plain(m, m)),
          made,
        ),
        path: target,
        headers,
        host: fc.oneof(fc.constant(plain('127.0.0.1', '127.0.0.1')), made),
        setHost: fc.oneof(fc.constant(plain('false', false)), made),
      },
      { requiredKeys: [] },
    )
    .map(
      (r) =>
        new Hostile(recordLabel(r), () => {
          const o: Record<string, unknown> = {
            port,
            // never a name server: every host is this machine
            lookup: (_h: string, _o: unknown, cb: any) =>
              cb(null, [{ address: '127.0.0.1', family: 4 }]),
          };
          for (const [k, h] of Object.entries(r)) o[k] = h.make();
          return o;
        }),
    ),
);

/** A URL of the server with a hostile path, a URL object, or hostile. */
const url: fc.Arbitrary<Hostile> = fc.oneof(
  target.map(
    (t) =>
      new Hostile(`base + ${t.label}`, () => {
        const p = t.make();
        return typeof p === 'string' ? base + p : p;
      }),
  ),
  target.map(
    (t) =>
      new Hostile(`new URL(${t.label})`, () => {
        try {
          return new URL(String(t.make()), base);
        } catch {
          return new URL(base);
        }
      }),
  ),
  made,
);

/** One call of the program; fast-check prints its label. */
class Call {
  public constructor(
    public readonly label: string,
    public readonly run: () => Promise<Array<string>>,
  ) {}

  public [fc.toStringMethod](): string {
    return this.label;
  }
}

/** Waits for the end of a client request, whatever it is. */
function settle(req: http.ClientRequest, out: Array<string>): Promise<void> {
  return new Promise((resolve) => {
    let over = false;
    const done = (what: string) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      out.push(what);
      resolve();
    };
    const timer = setTimeout(() => {
      done('timeout');
      req.destroy();
    }, callTimeout);
    req.on('error', (e) => done('error ' + errorText(e)));
    req.on('response', (res) => {
      out.push('status ' + res.statusCode);
      res.on('error', (e) => done('response error ' + errorText(e)));
      res.on('end', () => done('end'));
      res.resume();
    });
    req.on('close', () => setImmediate(() => done('close')));
  });
}

const httpCall: fc.Arbitrary<Call> = fc
  .tuple(
    fc.option(url, { nil: undefined }),
    fc.option(requestOptions, { nil: undefined }),
    fc.option(fc.tuple(headerName, headerValue), { nil: undefined }),
    fc.option(fc.oneof(text, made), { nil: undefined }),
  )
  .map(
    ([u, o, h, body]) =>
      new Call(
        `http.request(${u?.label}, ${o?.label}); setHeader(${h?.[0].label}, ${h?.[1].label}); end(${body?.label})`,
        async () => {
          const out: Array<string> = [];
          let req: http.ClientRequest;
          try {
            const uv = u?.make() as any;
            const ov = (o?.make() ?? { port }) as any;
            req = u === undefined ? http.request(ov) : http.request(uv, ov);
          } catch (e) {
            return ['request threw ' + errorText(e)];
          }
          const waited = settle(req, out);
          if (h !== undefined) {
            try {
              req.setHeader(h[0].make() as any, h[1].make() as any);
            } catch (e) {
              out.push('setHeader threw ' + errorText(e));
            }
          }
          try {
            req.end(body?.make() as any);
          } catch (e) {
            out.push('end threw ' + errorText(e));
            req.destroy();
          }
          await waited;
          return out;
        },
      ),
  );

const fetchCall: fc.Arbitrary<Call> = fc
  .tuple(
    url,
    fc.option(
      fc.record(
        {
          method: fc.oneof(
            fc
              .constantFrom('GET', 'POST', 'PURGE', 'get')
              .map((m) => plain(m, m)),
            made,
          ),
          headers,
          body: fc.oneof(text, made),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  )
  .map(
    ([u, init]) =>
      new Call(
        `fetch(${u.label}, ${init == null ? '' : Object.entries(init).map(([k, h]) => `${k}: ${h.label}`)})`,
        async () => {
          const out: Array<string> = [];
          let timer: ReturnType<typeof setTimeout> | undefined;
          const controller = new AbortController();
          try {
            const i: Record<string, unknown> = {
              redirect: 'manual',
              signal: controller.signal,
            };
            for (const [k, h] of Object.entries(init ?? {})) i[k] = h.make();
            const call = (async () => {
              const res = await fetch(u.make() as any, i as any);
              out.push('status ' + res.status);
              await res.text();
              out.push('end');
            })();
            await Promise.race([
              call,
              new Promise<void>((resolve) => {
                timer = setTimeout(() => {
                  out.push('timeout');
                  controller.abort();
                  resolve();
                }, callTimeout);
              }),
            ]);
          } catch (e) {
            out.push('rejected ' + errorText(e));
          } finally {
            clearTimeout(timer);
          }
          return out;
        },
      ),
  );

/** A request written byte by byte to the server, as a remote client may. */
const rawCall: fc.Arbitrary<Call> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PURGE', 'M-SEARCH', 'FOO'),
    fc.oneof(
      fc.constantFrom(
        '/',
        '*',
        '//x',
        'http://a.example/c?d=1',
        '/a?' + 'q=1&'.repeat(500),
        '/%ff%00',
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 20 }).map(
        (s) =>
          // no space, CR or LF: those end the request target
          '/' + s.replace(/[\s]/g, '_'),
      ),
    ),
    fc.array(
      fc.tuple(
        fc.constantFrom(
          'traceparent',
          'tracestate',
          'host',
          'x-h',
          'TraceParent',
        ),
        fc.oneof(
          fc.constantFrom(
            '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            '00-00000000000000000000000000000000-0000000000000000-01',
            'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
            'a=1,' + 'k=v,'.repeat(200),
            '[::1',
            'a:' + '9'.repeat(400),
            'host:-1',
            'x'.repeat(8000),
          ),
          fc
            .string({ unit: 'binary', maxLength: 30 })
            // a header value is one line of Latin-1 bytes
            .map((s) => s.replace(/[\r\n]/g, ' ')),
        ),
      ),
      { maxLength: 4 },
    ),
  )
  .map(
    ([method, t, hs]) =>
      new Call(
        `raw ${method} ${t} ${JSON.stringify(hs)}`,
        () =>
          new Promise<Array<string>>((resolve) => {
            const socket = net.connect(port, '127.0.0.1');
            let received = '';
            const timer = setTimeout(() => socket.destroy(), callTimeout);
            socket.on('error', () => {});
            socket.on('data', (d) => (received += d.toString('latin1')));
            socket.on('close', () => {
              clearTimeout(timer);
              resolve([
                received.split('\r\n')[0] || 'closed without a response',
              ]);
            });
            const lines = [`${method} ${t} HTTP/1.1`];
            for (const [n, v] of hs) lines.push(`${n}: ${v}`);
            lines.push('connection: close', '', '');
            socket.end(Buffer.from(lines.join('\r\n'), 'latin1'));
          }),
      ),
  );

/** What the server's handler does, per case: hostile response headers. */
type Plan = {
  label: string;
  status: number;
  headers: Array<[Hostile, Hostile]>;
  destroy: boolean;
};

const plan: fc.Arbitrary<Plan> = fc
  .record({
    status: fc.constantFrom(200, 204, 301, 404, 500, 599),
    headers: fc.array(fc.tuple(headerName, headerValue), {
      minLength: 1,
      maxLength: 2,
    }),
    destroy: fc.boolean(),
  })
  .map((p) => ({
    ...p,
    label: `respond ${p.status} ${p.headers.map(([n, v]) => `${n.label}: ${v.label}`).join(', ')}${p.destroy ? ' then destroy' : ''}`,
  }));

let currentPlan: Plan = { label: '', status: 200, headers: [], destroy: false };
/** What the handler saw and what threw in it, per request. */
let serverLog: Array<string> = [];
let server: http.Server;
const previousAgent = http.globalAgent;

beforeAll(async () => {
  // no socket shared between the plain and the instrumented run
  http.globalAgent = new http.Agent({ keepAlive: false });
  server = http.createServer((req, res) => {
    const log: Array<string> = [`${req.method} ${req.url}`];
    for (const [n, v] of currentPlan.headers) {
      try {
        res.setHeader(n.make() as any, v.make() as any);
      } catch (e) {
        log.push('setHeader threw ' + errorText(e));
      }
    }
    res.statusCode = currentPlan.status;
    req.resume();
    req.on('end', () => {
      if (currentPlan.destroy) {
        res.destroy();
        return;
      }
      try {
        res.end('ok');
      } catch (e) {
        log.push('end threw ' + errorText(e));
        res.destroy();
      }
    });
    serverLog.push(log.join('; '));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  http.globalAgent = previousAgent;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Runs `call` and returns what the program and its server saw. */
async function observe(call: Call): Promise<Array<string>> {
  serverLog = [];
  const client = await call.run();
  // the server's side ends after the client saw the end: its `close`
  // listeners run within the test, where an uncaught exception fails it
  await new Promise((r) => setTimeout(r, 20));
  return [...client, ...serverLog.map((l) => 'server: ' + l)];
}

describe('HTTP and fetch instrumentation with hostile input', () => {
  test('the program sees what it sees without it; every line is valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(httpCall, fetchCall, rawCall),
        plan,
        fc.boolean(),
        fc.boolean(),
        async (call, p, recordQuery, propagate) => {
          currentPlan = p;
          const before = await observe(call);
          const options = { ...instrumentOptions, recordQuery, propagate };
          const a = instrumentHttp(tracer, options);
          const b = instrumentFetch(tracer, options);
          let after: Array<string>;
          try {
            after = await observe(call);
          } finally {
            a.uninstrument();
            b.uninstrument();
          }
          if (propagate && /traceparent|tracestate/i.test(call.label)) {
            // the instrumentation writes these headers, replacing the
            // program's own: the request may then go further, but it
            // throws nothing the plain call did not
            const throws = (seen: Array<string>) =>
              seen.filter((x) => / threw /.test(x) && !x.startsWith('server'));
            for (const t of throws(after)) expect(throws(before)).toContain(t);
          } else {
            expect(after).toEqual(before);
          }
          expect(tracerErrors).toEqual([]);
          tracer.flushSync();
          parseTrace(chunks.join(''));
        },
      ),
      fcParams({ numRuns: 300 }),
    );
    // spans were written: the instrumentation ran
    const spans = parseTrace(chunks.join('')).filter((r) => r.type === 'span');
    expect(spans.some((s) => s.kind === SpanKind.SERVER)).toBe(true);
    expect(spans.some((s) => s.kind === SpanKind.CLIENT)).toBe(true);
  }, 600_000);
});
