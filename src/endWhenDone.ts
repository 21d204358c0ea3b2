import type Span from './Span.js';
import type Tracer from './Tracer.js';
import TracedGenerator from './decorators/TracedGenerator.js';
import TracedAsyncGenerator from './decorators/TracedAsyncGenerator.js';
import { isGeneratorLike, reportResult } from './decorators/utils.js';

/**
 * Ends `span` when `result` is done, for `startActiveSpan` and the
 * decorators alike: a generator when it finishes, throws or is closed (each
 * step runs with the span active), a thenable when it settles, anything else
 * now. Failures are recorded on the span and reach the caller unchanged.
 *
 * A native promise is returned chained, so a rejection nobody handles still
 * surfaces as unhandled. Promise subclasses (e.g. `PromiseCancellable`, whose
 * `cancel()` must reach the method) and foreign thenables are returned as
 * they are, and only observed.
 */
function endWhenDone<R>(
  tracer: Tracer,
  span: Span,
  result: R,
  onResult?: (span: Span, result: unknown) => void,
): R {
  if (
    result !== null &&
    (typeof result === 'object' || typeof result === 'function')
  ) {
    const r = result as any;
    if (isGeneratorLike(r)) {
      if (typeof r[Symbol.asyncIterator] === 'function') {
        return new TracedAsyncGenerator(tracer, span, r, onResult) as R;
      }
      if (typeof r[Symbol.iterator] === 'function') {
        return new TracedGenerator(tracer, span, r, onResult) as R;
      }
    }
    if (typeof r.then === 'function') {
      const fulfilled = (value: unknown) => {
        reportResult(span, onResult, value);
        span.end();
        return value;
      };
      if (Object.getPrototypeOf(r) === Promise.prototype) {
        return r.then(fulfilled, (e: unknown) => {
          span.recordException(e);
          span.end();
          throw e;
        });
      }
      try {
        r.then(fulfilled, (e: unknown) => {
          span.recordException(e);
          span.end();
        });
      } catch (e) {
        // a thenable whose then() throws: nothing will settle it for us
        span.recordException(e);
        span.end();
      }
      return result;
    }
  }
  reportResult(span, onResult, result);
  span.end();
  return result;
}

export default endWhenDone;
