import type Span from '../Span.js';

// Hidden state on user objects lives under symbols (never enumerable, never
// in JSON); the WeakMap keeps frozen objects working too.
const objectSpans: WeakMap<object, Span> = new WeakMap();

/**
 * Makes `span` the default parent of spans started for `object`'s methods
 * when no span is active (e.g. the lifetime span of an async-init instance).
 */
function setObjectSpan(object: object, span: Span | undefined): void {
  // only objects and functions can carry a span; anything else is ignored
  if (
    (typeof object !== 'object' && typeof object !== 'function') ||
    object === null
  ) {
    return;
  }
  if (span === undefined) objectSpans.delete(object);
  else objectSpans.set(object, span);
}

/** The span bound to `object`, if it is still open. */
function getObjectSpan(object: unknown): Span | undefined {
  if (typeof object !== 'object' && typeof object !== 'function') {
    return undefined;
  }
  if (object === null) return undefined;
  const span = objectSpans.get(object);
  return span !== undefined && !span.isEnded() ? span : undefined;
}

export { setObjectSpan, getObjectSpan };
