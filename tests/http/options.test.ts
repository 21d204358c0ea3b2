import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import {
  instrumentHttp,
  instrumentFetch,
  instrument,
} from '../../src/index.js';
import { readOptions } from '../../src/http/options.js';
import { collectingTracer } from '../decorators/utils.js';
import { fcParams } from '../utils/fc.js';

const hostile = fc.oneof(
  fc.anything(),
  fc.record({
    recordQuery: fc.anything(),
    propagate: fc.boolean(),
    requestHeaders: fc.oneof(fc.array(fc.string()), fc.anything()),
  }),
  fc.constant(
    new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
      },
    ),
  ),
  fc.constant({
    get requestHeaders(): Array<string> {
      throw new Error('getter');
    },
  }),
  fc.constant({
    requestHeaders: new Proxy(['a'], {
      get() {
        throw new Error('array');
      },
    }),
  }),
);

describe('instrumentation options', () => {
  test('a valid set is copied, header names in lower case', () => {
    const o = readOptions('x', {
      recordQuery: true,
      requestHeaders: ['X-Id'],
      client: false,
    });
    expect(o).toEqual({
      recordQuery: true,
      requestHeaders: ['x-id'],
      client: false,
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  test('total: any options give an instrumentation or a TypeError', () => {
    const c = collectingTracer();
    fc.assert(
      fc.property(
        hostile,
        fc.constantFrom(instrumentHttp, instrumentFetch, (t: any, o: any) =>
          instrument(t, { instrument: 'http,fetch', http: o, fetch: o }),
        ),
        (options, fn) => {
          let i: { uninstrument(): void } | undefined;
          try {
            i = fn(c.tracer, options as any);
          } catch (e) {
            expect(e).toBeInstanceOf(TypeError);
            return;
          }
          i.uninstrument();
        },
      ),
      fcParams(),
    );
  });

  test('instrument: any options give an instrumentation or a TypeError', () => {
    const c = collectingTracer();
    // async-init stays out: it registers module hooks, which jest forbids
    const options = fc.oneof(
      fc
        .anything()
        .filter(
          (v) => v === null || (v !== undefined && typeof v !== 'object'),
        ),
      fc.constant(
        new Proxy(
          {},
          {
            get() {
              throw new Error('get');
            },
          },
        ),
      ),
      fc.record({
        instrument: fc.constantFrom('http', 'fetch', 'http,fetch', 'none', 3, [
          'x',
        ]),
        ready: fc.anything(),
        http: hostile,
        fetch: hostile,
      }),
    );
    fc.assert(
      fc.property(options, (o) => {
        try {
          instrument(c.tracer, o as any).uninstrument();
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
        }
      }),
      fcParams({ numRuns: 50 }),
    );
  });
});
