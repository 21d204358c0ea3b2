import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { jsonChunks, lazyArray } from '../../src/reader/jsonChunks.js';
import { fcParams } from '../utils/fc.js';

describe('jsonChunks', () => {
  test('concatenates to JSON.stringify at every depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(6), (value, depth) => {
        expect([...jsonChunks(value, depth)].join('')).toBe(
          JSON.stringify(value),
        );
      }),
      fcParams({ numRuns: 500 }),
    );
  });

  test('lazy arrays are written like arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (items) => {
        const lazy = (function* () {
          yield* items;
        })();
        expect([...jsonChunks({ a: lazyArray(lazy) }, 2)].join('')).toBe(
          JSON.stringify({ a: items }),
        );
      }),
      fcParams({ numRuns: 200 }),
    );
  });
});
