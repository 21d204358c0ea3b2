import { describe, expect, test } from '@jest/globals';
import http from 'node:http';
import fc from 'fast-check';
import { Tracer } from '../../src/index.js';
import NoopTracer from '../../src/NoopTracer.js';
import {
  extractTraceContext,
  formatTraceParent,
  isValidTraceState,
  parseTraceParent,
} from '../../src/propagation/index.js';
import {
  isValidSpanId,
  isValidTraceId,
} from '../../src/propagation/traceContext.js';
import { fcParams } from '../utils/fc.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const parentId = 'b7ad6b7169203331';
const valid = `00-${traceId}-${parentId}-01`;

describe('traceparent parsing (W3C test suite cases)', () => {
  test('a valid header gives a remote parent', () => {
    expect(parseTraceParent(valid)).toEqual({
      traceId,
      spanId: parentId,
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceParent(`00-${traceId}-${parentId}-00`)?.traceFlags).toBe(
      0,
    );
    // optional whitespace around the value
    expect(parseTraceParent(` \t${valid}\t `)?.traceId).toBe(traceId);
  });

  test.each([
    ['version ff', `ff-${traceId}-${parentId}-01`],
    ['version too short', `0-${traceId}-${parentId}-01`],
    ['version too long', `000-${traceId}-${parentId}-01`],
    ['version not hex', `0g-${traceId}-${parentId}-01`],
    ['version upper case', `0A-${traceId}-${parentId}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${parentId}-01`],
    ['all-zero parent id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['trace id upper case', `00-${traceId.toUpperCase()}-${parentId}-01`],
    ['parent id upper case', `00-${traceId}-${parentId.toUpperCase()}-01`],
    ['trace id 31', `00-${traceId.slice(1)}-${parentId}-01`],
    ['trace id 33', `00-${traceId}a-${parentId}-01`],
    ['parent id 15', `00-${traceId}-${parentId.slice(1)}-01`],
    ['parent id 17', `00-${traceId}-${parentId}a-01`],
    ['trace id not hex', `00-${traceId.slice(1)}z-${parentId}-01`],
    ['flags 1 char', `00-${traceId}-${parentId}-1`],
    ['flags 3 chars', `00-${traceId}-${parentId}-011`],
    ['flags not hex', `00-${traceId}-${parentId}-0x`],
    ['flags upper case', `00-${traceId}-${parentId}-0A`],
    ['version 00 with more fields', `${valid}-what-the-future-will-be-like`],
    ['version 00 with a trailing dash', `${valid}-`],
    ['future version without a dash', `cc-${traceId}-${parentId}-01.x`],
    ['wrong separators', `00_${traceId}_${parentId}_01`],
    ['empty', ''],
    ['not a string', 42],
  ])('%s is rejected', (_name, header) => {
    expect(parseTraceParent(header)).toBeUndefined();
    // and a span started under it begins a new trace
    const tracer = new Tracer({ context: 'shim' });
    const span = tracer.startSpan('s', {
      parent: tracer.extract({ traceparent: header }),
    });
    expect(span.parentId).toBeUndefined();
    expect(span.traceId).not.toBe(traceId);
  });

  test('a future version is parsed by the version 00 rules', () => {
    expect(
      parseTraceParent(
        `cc-${traceId}-${parentId}-01-what-the-future-will-be-like`,
      ),
    ).toEqual({ traceId, spanId: parentId, traceFlags: 1, isRemote: true });
    expect(parseTraceParent(`01-${traceId}-${parentId}-09`)?.traceFlags).toBe(
      9,
    );
  });
});

describe('id validation', () => {
  test('trace ids: 32 lower-case hex, not all zero', () => {
    expect(isValidTraceId(traceId)).toBe(true);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId(traceId.toUpperCase())).toBe(false);
    expect(isValidTraceId(traceId.slice(1))).toBe(false);
    expect(isValidTraceId(undefined)).toBe(false);
  });

  test('span ids: 16 or 32 lower-case hex whose W3C id is not zero', () => {
    expect(isValidSpanId(parentId)).toBe(true);
    expect(isValidSpanId(traceId)).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    // no W3C/OTLP form: its low 16 hex are zero
    expect(isValidSpanId('1'.repeat(16) + '0'.repeat(16))).toBe(false);
    expect(isValidSpanId(parentId.toUpperCase())).toBe(false);
    expect(isValidSpanId(parentId + 'a')).toBe(false);
    expect(isValidSpanId(42)).toBe(false);
  });

  test('formatTraceParent refuses what the validators refuse', () => {
    const ok = { traceId, spanId: parentId, traceFlags: 1 };
    expect(formatTraceParent(ok)).toBe(valid);
    expect(
      formatTraceParent({ ...ok, spanId: 'a'.repeat(16) + parentId }),
    ).toBe(valid);
    expect(
      formatTraceParent({ ...ok, traceId: '0'.repeat(32) }),
    ).toBeUndefined();
    expect(
      formatTraceParent({ ...ok, spanId: parentId + '0'.repeat(16) }),
    ).toBeUndefined();
    expect(formatTraceParent({ ...ok, spanId: 'xyz' })).toBeUndefined();
  });
});

describe('tracestate', () => {
  test.each([
    ['', true],
    ['congo=t61rcWkgMzE', true],
    ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', true],
    [' rojo=1 ,\tcongo=2 ', true],
    ['rojo=1,,congo=2', true],
    ['tenant@vendor=x', true],
    ['a/b*c_d-e=1', true],
    ['1abc=x', false],
    ['Rojo=1', false],
    ['rojo', false],
    ['=1', false],
    ['rojo=1,rojo=2', false],
    ['rojo=a,b', false],
    ['rojo=a=b', false],
    ['rojo=trailing ', true],
    ['rojo=in side', true],
    ['rojo=tab\there', false],
    ['rojo=\u00e9', false],
    [`${'a'.repeat(256)}=1`, true],
    [`${'a'.repeat(257)}=1`, false],
    [`${'a'.repeat(241)}@${'b'.repeat(14)}=1`, true],
    [`${'a'.repeat(242)}@b=1`, false],
    [`a@${'b'.repeat(15)}=1`, false],
    [`k=${'v'.repeat(256)}`, true],
    [`k=${'v'.repeat(257)}`, false],
    [Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','), true],
    [Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','), false],
  ])('%j valid: %s', (header, ok) => {
    expect(isValidTraceState(header)).toBe(ok);
  });

  test('kept verbatim with a valid traceparent, dropped when invalid', () => {
    const tracestate = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    expect(
      extractTraceContext({ traceparent: valid, tracestate })?.traceState,
    ).toBe(tracestate);
    const bad = extractTraceContext({
      traceparent: valid,
      tracestate: 'x=1,x=2',
    });
    expect(bad?.traceId).toBe(traceId);
    expect(bad?.traceState).toBeUndefined();
    // repeated tracestate headers are one list
    expect(
      extractTraceContext({ traceparent: valid, tracestate: ['a=1', 'b=2'] })
        ?.traceState,
    ).toBe('a=1,b=2');
  });
});

describe('carriers', () => {
  test('duplicated traceparent headers are ignored', () => {
    expect(
      extractTraceContext({ traceparent: [valid, valid] }),
    ).toBeUndefined();
    expect(extractTraceContext({ traceparent: [valid] })?.traceId).toBe(
      traceId,
    );
    const headers = new Headers();
    headers.append('traceparent', valid);
    headers.append('traceparent', valid);
    expect(extractTraceContext(headers)).toBeUndefined();
  });

  test('plain objects are read case-insensitively, Headers and Map by get', () => {
    expect(extractTraceContext({ TraceParent: valid })?.traceId).toBe(traceId);
    expect(
      extractTraceContext(new Headers({ Traceparent: valid }))?.traceId,
    ).toBe(traceId);
    expect(
      extractTraceContext(new Map([['traceparent', valid]]))?.traceId,
    ).toBe(traceId);
  });

  test('nothing malformed throws', () => {
    const throwing = {
      get() {
        throw new Error('no');
      },
    };
    for (const c of [
      undefined,
      null,
      1,
      'x',
      {},
      throwing,
      { traceparent: {} },
    ]) {
      expect(extractTraceContext(c)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (traceparent, tracestate) => {
        const r = extractTraceContext({ traceparent, tracestate });
        return r === undefined || r.traceId.length === 32;
      }),
      fcParams(),
    );
  });

  test('inject writes a plain object, replacing differently cased keys', () => {
    const tracer = new Tracer({ context: 'shim' });
    const span = tracer.startSpan('s');
    const carrier: Record<string, string> = { Traceparent: 'old', other: 'x' };
    expect(tracer.inject(carrier, span)).toBe(carrier);
    expect(carrier).toEqual({
      other: 'x',
      traceparent: `00-${span.traceId}-${span.spanId.slice(16)}-01`,
    });
  });

  test('inject uses the active span, and writes nothing without one', () => {
    const tracer = new Tracer({ context: 'shim' });
    expect(tracer.inject({})).toEqual({});
    const span = tracer.startSpan('s');
    const carrier = tracer.withSpan(span, () => tracer.inject(new Map()));
    expect(carrier.get('traceparent')).toBe(
      `00-${span.traceId}-${span.spanId.slice(16)}-01`,
    );
    // the no-op tracer's span is invalid: nothing is written
    const noop = new NoopTracer();
    expect(noop.inject({}, (noop as Tracer).startSpan('x'))).toEqual({});
  });

  test('the tracestate and flags of a remote parent travel on', () => {
    const tracer = new Tracer({ context: 'shim' });
    const remote = tracer.extract({
      traceparent: `00-${traceId}-${parentId}-01`,
      tracestate: 'rojo=1,congo=2',
    })!;
    const child = tracer.startSpan('child', { parent: remote });
    const out = tracer.inject(new Headers(), child);
    expect(out.get('traceparent')).toBe(
      `00-${traceId}-${child.spanId.slice(16)}-01`,
    );
    expect(out.get('tracestate')).toBe('rojo=1,congo=2');
    // a remote context can itself be injected (a proxy passing it on)
    expect(tracer.inject({}, remote)).toEqual({
      traceparent: `00-${traceId}-${parentId}-01`,
      tracestate: 'rojo=1,congo=2',
    });
  });

  test('round trip for any ids, flags and tracestate', () => {
    const hex = (n: number) =>
      fc
        .array(fc.constantFrom(...'0123456789abcdef'), {
          minLength: n,
          maxLength: n,
        })
        .map((a) => a.join(''))
        .filter((s) => !/^0+$/.test(s));
    const member = fc
      .tuple(
        fc.stringMatching(/^[a-z][a-z0-9_*/-]{0,10}$/),
        fc.stringMatching(/^[!-+\--<>-~]{1,12}$/),
      )
      .map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(
        hex(32),
        hex(32),
        fc.integer({ min: 0, max: 255 }),
        fc.uniqueArray(member, {
          maxLength: 5,
          selector: (m) => m.split('=')[0],
        }),
        (t, s, flags, members) => {
          const traceState = members.length > 0 ? members.join(',') : undefined;
          const header = formatTraceParent({
            traceId: t,
            spanId: s,
            traceFlags: flags,
          });
          expect(header).toBe(
            `00-${t}-${s.slice(16)}-${flags.toString(16).padStart(2, '0')}`,
          );
          const carrier: Record<string, string> = {};
          new Tracer({ context: 'shim' }).inject(carrier, {
            traceId: t,
            spanId: s,
            traceFlags: flags,
            traceState,
          });
          const back = extractTraceContext(carrier);
          if (s.slice(16) === '0000000000000000') {
            expect(back).toBeUndefined();
            return;
          }
          expect(back).toEqual({
            traceId: t,
            spanId: s.slice(16),
            traceFlags: flags,
            isRemote: true,
            ...(traceState === undefined ? {} : { traceState }),
          });
        },
      ),
      fcParams(),
    );
  });
});

describe('across a real HTTP hop', () => {
  test('the server span joins the client trace', async () => {
    const tracer = new Tracer({ context: 'als' });
    const server = http.createServer((req, res) => {
      const parent = tracer.extract(req.headers);
      const span = tracer.startSpan('server', { parent });
      res.end(
        JSON.stringify({ traceId: span.traceId, parentId: span.parentId }),
      );
      span.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as any).port;
      const client = tracer.startSpan('client');
      const headers = tracer.inject({}, client);
      const got = await (
        await fetch(`http://127.0.0.1:${port}/`, { headers })
      ).json();
      expect(got).toEqual({
        traceId: client.traceId,
        parentId: client.spanId.slice(16),
      });
      // a malformed header starts a new trace on the server
      const fresh = await (
        await fetch(`http://127.0.0.1:${port}/`, {
          headers: { traceparent: `ff-${traceId}-${parentId}-01` },
        })
      ).json();
      expect(fresh.parentId).toBeUndefined();
      expect(fresh.traceId).not.toBe(traceId);
    } finally {
      server.close();
    }
  });
});
