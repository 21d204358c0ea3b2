import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  clientUrlAttributes,
  endWithError,
  methodAttributes,
  sanitizeQuery,
  serverUrlAttributes,
  splitHost,
} from '../../src/http/attributes.js';
import { collectingTracer } from '../decorators/utils.js';
import { fcParams } from '../utils/fc.js';

const value = fc.stringMatching(/^[a-z0-9%+.-]{1,12}$/);
const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);

describe('HTTP attributes', () => {
  test('no query value survives unless asked; keys do', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { minLength: 1 }), (pairs) => {
        const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        const out = sanitizeQuery(query, false);
        expect(out).toBe(pairs.map(([k]) => `${k}=REDACTED`).join('&'));
        expect(sanitizeQuery(query, true)).toBe(query);
      }),
      fcParams(),
    );
  });

  test('url.full never carries credentials', () => {
    fc.assert(
      fc.property(value, value, value, (user, password, path) => {
        const attributes: Record<string, any> = {};
        clientUrlAttributes(
          `https://${user}:${password}@example.test:8443`,
          `/${path}?a=${password}`,
          {},
          attributes,
        );
        expect(attributes['url.full']).toBe(
          `https://example.test:8443/${path}?a=REDACTED`,
        );
        expect(attributes['server.address']).toBe('example.test');
        expect(attributes['server.port']).toBe(8443);
      }),
      fcParams(),
    );
  });

  test('default ports, IPv6 hosts, server side', () => {
    const a: Record<string, any> = {};
    clientUrlAttributes('http://[::1]', '/x#frag', {}, a);
    expect(a).toEqual({
      'url.full': 'http://[::1]/x',
      'server.address': '::1',
      'server.port': 80,
    });
    expect(splitHost('[::1]:8080')).toEqual({ address: '::1', port: 8080 });
    const s: Record<string, any> = {};
    serverUrlAttributes('http', '/p?x=1', 'svc:81', {}, s);
    expect(s).toEqual({
      'url.scheme': 'http',
      'url.path': '/p',
      'url.query': 'x=REDACTED',
      'server.address': 'svc',
      'server.port': 81,
    });
  });

  test('methods: known ones by name, others as _OTHER', () => {
    const a: Record<string, any> = {};
    expect(methodAttributes('post', a)).toBe('POST');
    expect(a).toEqual({
      'http.request.method': 'POST',
      'http.request.method_original': 'post',
    });
    const b: Record<string, any> = {};
    expect(methodAttributes('PURGE', b)).toBe('HTTP');
    expect(b['http.request.method']).toBe('_OTHER');
    fc.assert(
      fc.property(fc.anything(), (m) => {
        const name = methodAttributes(m, {});
        expect(typeof name).toBe('string');
      }),
      fcParams(),
    );
  });

  test('endWithError is total: any thrown value ends the span with ERROR', () => {
    const c = collectingTracer();
    fc.assert(
      fc.property(fc.anything(), (error) => {
        const span = c.tracer.startSpan('x');
        endWithError(span, error);
        expect(span.isEnded()).toBe(true);
        expect(span.status.code).toBe(2);
        expect(typeof span.attributes!['error.type']).toBe('string');
      }),
      fcParams(),
    );
  });
});
