import type Span from '../Span.js';

/**
 * Marks a traced wrapper; the value is the wrapped function. Registered, so
 * that two copies of spantrail do not wrap each other's methods twice.
 */
const tracedMarker: unique symbol = Symbol.for('spantrail.traced') as any;

/** Whether `fn` is a wrapper made by `@traced` or `@Traceable`. */
function isTraced(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as any)[tracedMarker] !== undefined;
}

/** The function a traced wrapper calls, or `fn` itself. */
function unwrapTraced<F>(fn: F): F {
  let f: any = fn;
  while (typeof f === 'function' && f[tracedMarker] !== undefined) {
    f = f[tracedMarker];
  }
  return f;
}

/**
 * Hands the result to `onResult`; a user callback must never break the
 * traced call, so what it throws is recorded on the span instead.
 */
function reportResult(
  span: Span,
  onResult: ((span: Span, result: unknown) => void) | undefined,
  result: unknown,
): void {
  if (onResult === undefined) return;
  try {
    onResult(span, result);
  } catch (e) {
    span.addEvent('spantrail.onResult.error', {
      'exception.message': e instanceof Error ? e.message : String(e),
    });
  }
}

function isGeneratorLike(value: any): boolean {
  return (
    typeof value.next === 'function' &&
    typeof value.throw === 'function' &&
    typeof value.return === 'function'
  );
}

export { tracedMarker, isTraced, unwrapTraced, reportResult, isGeneratorLike };
