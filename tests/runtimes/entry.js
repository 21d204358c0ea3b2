/**
 * Runs the context suite on the runtime that runs this file (Node, Deno,
 * Bun) against `dist/`, and prints the results as one JSON line. The
 * context option comes from SPANTRAIL_CONTEXT ('als', 'shim', or empty for
 * the detected one), the fast-check seed from FC_SEED.
 */
import * as lib from '../../dist/index.js';
import { runContextSuite } from './suite.js';

const env = globalThis.process?.env ?? {};
const context = env.SPANTRAIL_CONTEXT || undefined;
const seed = env.FC_SEED ? Number(env.FC_SEED) : undefined;
const numRuns = env.FC_NUM_RUNS ? Number(env.FC_NUM_RUNS) : undefined;

const out = await runContextSuite(lib, {
  context,
  expectDefault: 'als',
  seed,
  numRuns,
  path: env.FC_PATH || undefined,
});
console.log(JSON.stringify(out));
