import type { DualClassDecorator, TraceableOptions } from '../methods/types.js';
import { traceMethods } from './traceMethods.js';
import { installLifecycle, withConstructHook } from '../asyncInit/install.js';
import { traceFactories } from '../asyncInit/factories.js';

/**
 * Class decorator: traces every method of the class, own and inherited
 * (not `Object.prototype`'s, not the constructor; accessors when
 * `accessors: true`), narrowed by `include` / `exclude`. Methods already
 * `@traced` keep their own options.
 *
 * On a `@matrixai/async-init` class (`StartStop`, `CreateDestroy`,
 * `CreateDestroyStartStop`, in either decorator order) it also traces the
 * lifecycle: `Class.start` / `Class.stop` / `Class.destroy` phase spans and
 * a `Class` lifetime span per instance, the default parent of the
 * instance's method spans. Its static factories (`static async createX()`
 * on class `X`, or `create`) get a `X.createX` span even with
 * `statics: false`, so what they create nests under them.
 *
 * Works with `experimentalDecorators` and with standard decorators.
 */
function Traceable(options: TraceableOptions = {}): DualClassDecorator {
  if (options == null || typeof options !== 'object') {
    throw new TypeError('Traceable: options must be an object');
  }
  return function (Class: any, context?: any): any {
    if (typeof Class !== 'function') {
      throw new TypeError('Traceable: expected a class');
    }
    if (
      context != null &&
      typeof context === 'object' &&
      context.kind !== 'class'
    ) {
      throw new TypeError(`Traceable: cannot decorate a ${context.kind}`);
    }
    // factories first: they get their lifecycle attribute, and the method
    // wrapping below leaves them alone
    if (options.lifecycle !== false) {
      traceFactories(Class, options.tracer, options.exclude);
    }
    traceMethods(Class, options);
    if (options.lifecycle === false) return Class;
    const config = { tracer: options.tracer };
    installLifecycle(Class.prototype, config);
    return withConstructHook(Class, config);
  } as DualClassDecorator;
}

export default Traceable;
