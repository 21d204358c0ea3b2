import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import { kindOf, statusCodeOf } from '../../src/utils/codes.js';
import { SpanKind, SpanStatusCode } from '../../src/constants.js';
import { fcParams } from './fc.js';

describe('kindOf and statusCodeOf', () => {
  test('a valid value is kept; anything else becomes the default', () => {
    const kinds = new Set<unknown>(Object.values(SpanKind));
    const codes = new Set<unknown>(Object.values(SpanStatusCode));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.integer({ min: -2, max: 8 }),
          fc.constantFrom('length', 'constructor', '__proto__', 1.5, NaN),
        ),
        (value) => {
          expect(kindOf(value)).toBe(
            kinds.has(value) ? value : SpanKind.INTERNAL,
          );
          expect(statusCodeOf(value)).toBe(
            codes.has(value) ? value : SpanStatusCode.UNSET,
          );
        },
      ),
      fcParams(),
    );
  });
});
