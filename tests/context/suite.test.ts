import { describe, expect, test } from '@jest/globals';
import * as spantrail from '../../src/index.js';
// @ts-expect-error: a plain ES module shared with the runtime harness
import { runContextSuite } from '../runtimes/suite.js';
import { fcParams } from '../utils/fc.js';

// The same suite `npm run test:runtimes` runs on Deno, Bun and Chromium,
// here against the sources on Node
describe.each([
  ['als', 'als'],
  ['shim', 'als'],
])('context suite, context: %s', (context, expectDefault) => {
  test('every check passes', async () => {
    const { seed } = fcParams();
    const { results } = await runContextSuite(spantrail, {
      context,
      expectDefault,
      seed,
      numRuns: 100,
      path: process.env.FC_PATH,
    });
    const failed = results.filter((r: any) => !r.ok);
    expect(failed).toEqual([]);
    expect(results.length).toBe(7);
  });
});
