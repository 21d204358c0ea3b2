import type Tracer from '../Tracer.js';
import type { TraceableOptions } from '../methods/types.js';
import { traceMethods } from '../decorators/traceMethods.js';
import { installLifecycle } from '../asyncInit/install.js';

/**
 * Applies `@Traceable` to an existing class, in place: its methods (and
 * those it inherits) get spans, and an async-init class gets lifecycle
 * spans for instances started from now on. Unlike the decorator it cannot
 * see construction, so the lifetime of a CreateDestroy (only) instance is
 * not recorded. Returns the class.
 */
function traceClass<C extends abstract new (...args: Array<any>) => any>(
  tracer: Tracer | undefined,
  Class: C,
  options: Omit<TraceableOptions, 'tracer'> = {},
): C {
  if (typeof Class !== 'function') {
    throw new TypeError('traceClass: expected a class');
  }
  try {
    traceMethods(Class, { ...options, tracer });
    if (options.lifecycle !== false) {
      installLifecycle(Class.prototype, { tracer });
    }
  } catch (e) {
    // a Proxy or options whose getters throw: the documented TypeError
    if (e instanceof TypeError) throw e;
    throw new TypeError('traceClass: the class or options cannot be read', {
      cause: e,
    });
  }
  return Class;
}

export default traceClass;
