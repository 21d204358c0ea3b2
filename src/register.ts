/**
 * Preload entry: `SPANTRAIL_OUTPUT=trace.jsonl node --import
 * spantrail/register app.js` traces a program with no change to its code:
 * the lifecycles (and factories) of its async-init classes, its incoming
 * and outgoing HTTP requests and its `fetch` calls. The destination comes
 * from `--trace-output` or `SPANTRAIL_OUTPUT`; with neither, nothing is
 * instrumented. `SPANTRAIL_INSTRUMENT` narrows what is traced (a
 * comma-separated list of `async-init`, `http`, `fetch`, or `none`).
 * `SPANTRAIL_READY=1` also gives every `@ready` method a span.
 *
 * It runs once per process: a second load (`--require` and `--import`
 * both) returns the first tracer, and Node's threads (the module hooks
 * thread, `worker_threads` workers, which inherit the preload flags) get
 * nothing unless `SPANTRAIL_WORKERS=1` asks for a tracer per worker.
 *
 * @module
 */
import type Tracer from './Tracer.js';
import type * as NodeWorkerThreads from 'node:worker_threads';
import { reportTracingOff, tracerFromProcess } from './fromProcess.js';
import { getTracer, noopTracer, setTracer } from './global.js';
import { instrument } from './instrument/instrument.js';
import asyncInitInstalled from './asyncInit/asyncInitInstalled.js';
import { getBuiltin, processEnv } from './utils/platform.js';

const registeredKey = Symbol.for('spantrail.register');
/**
 * Set in the environment while the preload registers its module hooks:
 * Node copies it into the hooks thread it starts then, the one thread that
 * never gets a tracer, even with `SPANTRAIL_WORKERS=1`.
 */
const hooksThreadVar = 'SPANTRAIL_HOOKS_THREAD';

function isTrue(value: unknown): boolean {
  return value === '1' || value === 'true';
}

/**
 * Whether to register the module hooks that patch ESM builds of
 * async-init: `SPANTRAIL_ESM=1` / `0` decides; by default only when a copy
 * is installed where the program (or the working directory) can load it.
 */
function wantEsmHooks(env: Record<string, string | undefined>): boolean {
  if (isTrue(env.SPANTRAIL_ESM)) return true;
  if (env.SPANTRAIL_ESM === '0' || env.SPANTRAIL_ESM === 'false') return false;
  const proc = (globalThis as any).process;
  const dirs: Array<string> = [];
  if (typeof proc?.cwd === 'function') dirs.push(proc.cwd());
  const main = proc?.argv?.[1];
  if (typeof main === 'string' && main !== '') dirs.push(main + '/..');
  return asyncInitInstalled(dirs);
}

function register(): Tracer {
  const g = globalThis as any;
  const previous: Tracer | undefined = g[registeredKey];
  if (previous !== undefined) return previous;
  const env = processEnv();
  const threads = getBuiltin<typeof NodeWorkerThreads>('node:worker_threads');
  if (
    threads?.isMainThread === false &&
    (!isTrue(env.SPANTRAIL_WORKERS) || env[hooksThreadVar] === '1')
  ) {
    // the hooks thread and workers run the preloads too: their tracer would
    // be a second writer to the main thread's file
    return (g[registeredKey] = getTracer());
  }
  let tracer: Tracer;
  try {
    tracer = tracerFromProcess();
  } catch (e) {
    // a bad --trace-output or option must not keep the program from running
    reportTracingOff(e);
    tracer = noopTracer;
  }
  g[registeredKey] = tracer;
  if (tracer.enabled) {
    setTracer(tracer);
    env[hooksThreadVar] = '1';
    try {
      instrument(tracer, {
        instrument: env.SPANTRAIL_INSTRUMENT,
        ready: isTrue(env.SPANTRAIL_READY),
        esm: wantEsmHooks(env),
      });
    } finally {
      delete env[hooksThreadVar];
    }
  }
  return tracer;
}

const tracer = register();

/** The tracer the preload set up (the no-op tracer when none was asked). */
export default tracer;
