import type Tracer from './Tracer.js';
import NoopTracer from './NoopTracer.js';
import { hasMethod, toText } from './utils/attributes.js';

const noopTracer: Tracer = new NoopTracer();
let current: Tracer = noopTracer;

/**
 * Sets the tracer used by code that has none at hand (the decorators look it
 * up on every call, so setting it late works). `undefined` restores the
 * no-op tracer. Returns the previous tracer. Throws a `TypeError` for what
 * is not a tracer (has no `startSpan`), before anything changes.
 */
function setTracer(tracer: Tracer | undefined): Tracer {
  if (tracer != null && !hasMethod(tracer, 'startSpan')) {
    throw new TypeError(`setTracer: expected a tracer, got ${toText(tracer)}`);
  }
  const previous = current;
  current = tracer ?? noopTracer;
  return previous;
}

/** The global tracer; the no-op tracer until {@link setTracer}. */
function getTracer(): Tracer {
  return current;
}

export { setTracer, getTracer, noopTracer };
