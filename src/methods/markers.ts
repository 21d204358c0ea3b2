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

export { tracedMarker, isTraced, unwrapTraced };
