/**
 * Preload entry: `SPANTRAIL_OUTPUT=trace.jsonl node --import
 * spantrail/register app.js` traces the lifecycles of a program's
 * async-init classes with no change to its code. The destination comes from
 * `--trace-output` or `SPANTRAIL_OUTPUT`; with neither, nothing is
 * instrumented. `SPANTRAIL_READY=1` also gives every `@ready` method a span.
 *
 * @module
 */
import type Tracer from './Tracer.js';
import { reportTracingOff, tracerFromProcess } from './fromProcess.js';
import { noopTracer, setTracer } from './global.js';
import instrumentAsyncInit from './asyncInit/instrumentAsyncInit.js';
import { processEnv } from './utils/platform.js';

const env = processEnv();
let tracer: Tracer;
try {
  tracer = tracerFromProcess();
} catch (e) {
  // a bad --trace-output or option must not keep the program from running
  reportTracingOff(e);
  tracer = noopTracer;
}

if (tracer.enabled) {
  setTracer(tracer);
  instrumentAsyncInit(tracer, {
    ready: env.SPANTRAIL_READY === '1' || env.SPANTRAIL_READY === 'true',
  });
}

/** The tracer the preload set up (the no-op tracer when none was asked). */
export default tracer;
