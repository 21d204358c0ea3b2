import type Tracer from '../Tracer.js';
import type { TraceableOptions } from '../methods/types.js';
import { traceInstanceMethods } from '../decorators/traceMethods.js';
import { installInstanceLifecycle } from '../asyncInit/install.js';

/**
 * Traces one existing object: its methods (own and inherited) are shadowed
 * by traced wrappers on the object itself, and an async-init instance gets
 * lifecycle spans (a running one gets its lifetime span now). Other
 * instances of its class are unaffected. Returns the object.
 */
function traceObject<T extends object>(
  tracer: Tracer | undefined,
  object: T,
  options: Omit<TraceableOptions, 'tracer' | 'statics'> = {},
): T {
  if (object == null || typeof object !== 'object') {
    throw new TypeError('traceObject: expected an object');
  }
  try {
    traceInstanceMethods(object, { ...options, tracer });
    if (options.lifecycle !== false) {
      installInstanceLifecycle(object, { tracer });
    }
  } catch (e) {
    // a Proxy or options whose getters throw: the documented TypeError
    if (e instanceof TypeError) throw e;
    throw new TypeError('traceObject: the object or options cannot be read', {
      cause: e,
    });
  }
  return object;
}

export default traceObject;
