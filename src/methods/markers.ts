/**
 * Marks a traced wrapper; the value is the wrapped function. Registered, so
 * that two copies of spantrail do not wrap each other's methods twice.
 */
const tracedMarker: unique symbol = Symbol.for('spantrail.traced') as any;

/**
 * The function the traced wrapper `fn` calls, or undefined when `fn` is
 * not one (a function Proxy whose traps throw is not). Never throws.
 */
function wrappedBy(fn: unknown): unknown {
  if (typeof fn !== 'function') return undefined;
  try {
    return (fn as any)[tracedMarker];
  } catch {
    return undefined;
  }
}

/** Whether `fn` is a wrapper made by `@traced` or `@Traceable`. */
function isTraced(fn: unknown): boolean {
  return wrappedBy(fn) !== undefined;
}

/**
 * Wrappers followed at most by {@link unwrapTraced}: a marker pointing back
 * at its own function (set by hand) must not loop forever.
 */
const maxWrapDepth = 64;

/** The function a traced wrapper calls, or `fn` itself. */
function unwrapTraced<F>(fn: F): F {
  let f: unknown = fn;
  for (let depth = 0; depth < maxWrapDepth; depth++) {
    const inner = wrappedBy(f);
    if (inner === undefined) break;
    f = inner;
  }
  return f as F;
}

export { tracedMarker, isTraced, unwrapTraced };
