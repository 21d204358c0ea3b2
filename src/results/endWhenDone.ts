import type Span from '../Span.js';
import TracedGenerator from './TracedGenerator.js';
import TracedAsyncGenerator from './TracedAsyncGenerator.js';
import { isGeneratorLike, reportResult } from './utils.js';
import { isNativePromise, watchThenable } from '../utils/thenables.js';

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
  span: Span,
  result: R,
  onResult?: (span: Span, result: unknown) => void,
): R {
  if (
    result !== null &&
    (typeof result === 'object' || typeof result === 'function')
  ) {
    try {
      const r = result as any;
      // the common case first, with one closure fewer than watchThenable
      if (isNativePromise(r)) {
        return r.then(
          (value: unknown) => {
            reportResult(span, onResult, value);
            span.end();
            return value;
          },
          (e: unknown) => {
            span.recordException(e);
            span.end();
            throw e;
          },
        ) as R;
      }
      if (isGeneratorLike(r)) {
        if (typeof r[Symbol.asyncIterator] === 'function') {
          return new TracedAsyncGenerator(span, r, onResult) as R;
        }
        if (typeof r[Symbol.iterator] === 'function') {
          return new TracedGenerator(span, r, onResult) as R;
        }
      }
      if (typeof r.then === 'function') {
        return watchThenable(result, (failed, valueOrReason) => {
          if (failed) span.recordException(valueOrReason);
          else reportResult(span, onResult, valueOrReason);
          span.end();
        });
      }
    } catch {
      // a result that cannot be inspected (a revoked Proxy): the call is done
    }
  }
  reportResult(span, onResult, result);
  span.end();
  return result;
}

/**
 * Calls `fn` on `thisArg` with `args` while `span` is active, and ends the
 * span when the call is done (see {@link endWhenDone}); a synchronous throw
 * is recorded and rethrown unchanged. What `startActiveSpan` and every
 * traced method run through.
 */
function runInSpan<R>(
  span: Span,
  fn: (...args: Array<any>) => R,
  thisArg: unknown,
  args: ArrayLike<unknown>,
  onResult?: (span: Span, result: unknown) => void,
): R {
  let result: R;
  try {
    result = span.tracer.context.with(span, fn, thisArg, args);
  } catch (e) {
    span.recordException(e);
    span.end();
    throw e;
  }
  return endWhenDone(span, result, onResult);
}

export default endWhenDone;
export { runInSpan };
