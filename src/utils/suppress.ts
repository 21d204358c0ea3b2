/**
 * Suppression of automatic instrumentation: spantrail's own network calls
 * (the OTLP exporter's `fetch`) must not become spans, or exporting them
 * would make more. Kept on a registered symbol so that two copies of
 * spantrail in one program agree.
 *
 * @module
 */

const suppressKey = Symbol.for('spantrail.suppress');

/**
 * Calls `fn` with automatic instrumentation (HTTP, fetch) switched off for
 * what `fn` starts synchronously. `fetch` and `http.request` create their
 * request objects before they return, which is when the instrumentation
 * decides.
 */
function withoutInstrumentation<R>(fn: () => R): R {
  if (typeof fn !== 'function') {
    throw new TypeError('withoutInstrumentation: expected a function');
  }
  const g = globalThis as any;
  g[suppressKey] = (g[suppressKey] ?? 0) + 1;
  try {
    return fn();
  } finally {
    g[suppressKey]--;
  }
}

/** Whether automatic instrumentation is switched off right now. */
function isInstrumentationSuppressed(): boolean {
  return (globalThis as any)[suppressKey] > 0;
}

export { withoutInstrumentation, isInstrumentationSuppressed };
