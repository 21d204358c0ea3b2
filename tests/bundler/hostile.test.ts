import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  createAwaitTransform,
  createFilter,
  spantrailEsbuild,
  spantrailVite,
  transformAwaits,
} from '../../src/bundler/index.js';
import {
  hostile,
  hostileArray,
  hostileRecord,
  plain,
  returnsOrThrows,
} from '../utils/hostile.js';
import { fcParams } from '../utils/fc.js';

// The bundler entry given values a build configuration might hold: options
// and patterns that cannot be read, code and ids of any kind. Each returns,
// or throws its documented error: a TypeError for options, code or ids of
// the wrong kind, the parser's SyntaxError for code it cannot parse.

const code = fc.oneof(
  hostile,
  fc
    .constantFrom(
      'async function f() { await g(); }',
      'async function* f() { for await (const x of xs) yield x; }',
      'const f = async () => { try { await a; } finally { await b; } };',
      '#!/usr/bin/env node\nawait top;',
      'async function f( {',
    )
    .map((c) => plain(JSON.stringify(c), c)),
);

// A pattern function is the program's own code: what it throws when the
// filter calls it reaches the build, by design. Functions whose call
// throws are left out of the patterns; every other hostile value stays.
const callThrows = new Set(['fn', 'functionProxy']);
const patternItem = hostile.filter((h) => !callThrows.has(h.label));

const pattern = fc.oneof(
  patternItem,
  hostileArray(patternItem).filter((h) => !callThrows.has(h.label)),
  fc
    .constantFrom(/\.ts$/, 'src', (id: string) => id.endsWith('.js'))
    .map((p) => plain(String(p), p)),
);

const options = hostileRecord({
  include: pattern,
  exclude: pattern,
  runtime: hostile,
  id: hostile,
});

describe('the bundler entry given hostile values', () => {
  test('transforms, filters and plugins return or throw the documented error', () => {
    fc.assert(
      fc.property(code, options, hostile, hostile, (c, o, id, root) => {
        returnsOrThrows(
          () => transformAwaits(c.make() as any, o.make() as any),
          [TypeError, SyntaxError],
        );
        const filter = returnsOrThrows(
          () => createFilter(o.make() as any, root.make() as any),
          [TypeError],
        ) as ((id: string) => boolean) | undefined;
        if (filter !== undefined) {
          // a pattern function is the program's own: only ours run here
          const plainFilter = createFilter({}, '/');
          expect(typeof plainFilter(id.make() as any)).toBe('boolean');
        }
        const transform = returnsOrThrows(
          () => createAwaitTransform(o.make() as any, '/'),
          [TypeError],
        ) as ReturnType<typeof createAwaitTransform> | undefined;
        if (transform !== undefined) {
          returnsOrThrows(
            () => transform(c.make() as any, '/src/a.ts'),
            [TypeError, SyntaxError],
          );
        }
        returnsOrThrows(() => spantrailEsbuild(o.make() as any), [TypeError]);
        returnsOrThrows(() => spantrailVite(o.make() as any), [TypeError]);
      }),
      fcParams({ numRuns: 200 }),
    );
  });
});
