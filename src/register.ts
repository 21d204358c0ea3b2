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
 * @module
 */
import { tracerFromProcess } from './fromProcess.js';
import { setTracer } from './global.js';
import { instrument } from './instrument/instrument.js';
import { processEnv } from './utils/platform.js';

const env = processEnv();
const tracer = tracerFromProcess();

if (tracer.enabled) {
  setTracer(tracer);
  instrument(tracer, {
    instrument: env.SPANTRAIL_INSTRUMENT,
    ready: env.SPANTRAIL_READY === '1' || env.SPANTRAIL_READY === 'true',
  });
}

/** The tracer the preload set up (the no-op tracer when none was asked). */
export default tracer;
