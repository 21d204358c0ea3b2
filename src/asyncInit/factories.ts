import type Tracer from '../Tracer.js';
import { wrapTraced } from '../methods/wrap.js';
import { isTraced } from '../methods/markers.js';

/**
 * Marks a class whose factories were looked for, so that a class decorated
 * twice (or by two copies of spantrail) is searched once.
 */
const factoriesMarker: unique symbol = Symbol.for('spantrail.factories') as any;

const factoryPrefix = 'create';

/** The attribute value factory spans carry under `spantrail.lifecycle`. */
const factoryPhase = 'create';

/**
 * Whether `key` names a factory of the class named `className`: the
 * async-init convention is `static async createX()` on class `X`
 * (`DB.createDB`, `PolykeyAgent.createPolykeyAgent`), or a bare
 * `create`. Other `createY` statics are usually helpers that build
 * something else, so they are left alone.
 */
function isFactoryName(key: string | symbol, className: string): boolean {
  return (
    typeof key === 'string' &&
    (key === factoryPrefix ||
      (className !== '' && key === factoryPrefix + className))
  );
}

/**
 * Traces the static factories of an async-init class (see
 * {@link isFactoryName}), in place on the class that declares each one and
 * on its ancestors up to `Function.prototype`: a call runs in a span named
 * `Class.createClass`, so the instance it constructs and starts, and every
 * component created on the way, nest under it instead of each starting a
 * trace of its own. Factories already traced, and those named in
 * `exclude`, are left alone. Returns how
 * many were wrapped. Never throws.
 */
function traceFactories(
  Class: unknown,
  tracer?: Tracer,
  exclude?: ReadonlyArray<string | symbol>,
): number {
  if (typeof Class !== 'function') return 0;
  let count = 0;
  try {
    for (
      let c: any = Class;
      c != null && c !== Function.prototype;
      c = Object.getPrototypeOf(c)
    ) {
      if (Object.prototype.hasOwnProperty.call(c, factoriesMarker)) break;
      Object.defineProperty(c, factoriesMarker, { value: true });
      const name = typeof c.name === 'string' ? c.name : '';
      for (const key of Object.getOwnPropertyNames(c)) {
        if (!isFactoryName(key, name) || exclude?.includes(key) === true) {
          continue;
        }
        const d = Object.getOwnPropertyDescriptor(c, key);
        if (
          d === undefined ||
          typeof d.value !== 'function' ||
          isTraced(d.value) ||
          !(d.writable === true || d.configurable === true)
        ) {
          continue;
        }
        d.value = wrapTraced(d.value, {
          name: `${name}.${key}`,
          tracer,
          attributes: { 'spantrail.lifecycle': factoryPhase },
        });
        Object.defineProperty(c, key, d);
        count++;
      }
    }
  } catch {
    // a frozen or exotic class keeps its factories untraced
  }
  return count;
}

export { traceFactories, isFactoryName };
