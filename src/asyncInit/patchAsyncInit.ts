import type Tracer from '../Tracer.js';
import type { LifecycleConfig } from './lifecycle.js';
import { wrapTraced } from '../methods/wrap.js';
import { isTraced } from '../methods/markers.js';
import { methodSpanName } from '../methods/names.js';
import { installLifecycle, withConstructHook } from './install.js';
import { traceFactories } from './factories.js';

type Kind = 'StartStop' | 'CreateDestroy' | 'CreateDestroyStartStop';

const kinds: ReadonlyArray<Kind> = [
  'StartStop',
  'CreateDestroy',
  'CreateDestroyStartStop',
];

type InstrumentConfig = LifecycleConfig & {
  tracer: Tracer;
  /** Span every `@ready` method. */
  ready: boolean;
  /** False once the instrumentation is removed. */
  enabled: boolean;
};

const patchedMarker: unique symbol = Symbol.for(
  'spantrail.asyncInit.patched',
) as any;

/**
 * Wraps an async-init class decorator factory: classes it decorates get
 * lifecycle spans. CreateDestroy instances live from construction, so that
 * decorator also gets a construction hook.
 */
function patchDecorator<F extends (...args: Array<any>) => any>(
  factory: F,
  kind: Kind,
  config: InstrumentConfig,
): F {
  if (typeof factory !== 'function' || (factory as any)[patchedMarker]) {
    return factory;
  }
  const patched = function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    const decorator = factory.apply(this, arguments as any);
    if (!config.enabled || typeof decorator !== 'function') return decorator;
    return function (constructor: any) {
      const decorated = decorator(constructor);
      try {
        if (
          typeof decorated === 'function' &&
          installLifecycle(decorated.prototype, config)
        ) {
          traceFactories(decorated, config.tracer);
          return kind === 'CreateDestroy'
            ? withConstructHook(decorated, config)
            : decorated;
        }
      } catch {
        // never break the program's classes
      }
      return decorated;
    };
  };
  Object.defineProperty(patched, 'name', { value: factory.name });
  Object.defineProperty(patched, 'length', { value: factory.length });
  Object.defineProperty(patched, patchedMarker, { value: factory });
  return patched as unknown as F;
}

/** Wraps async-init's `ready` so that `@ready` methods get spans. */
function patchReady<F extends (...args: Array<any>) => any>(
  factory: F,
  config: InstrumentConfig,
): F {
  if (typeof factory !== 'function' || (factory as any)[patchedMarker]) {
    return factory;
  }
  const patched = function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    const decorator = factory.apply(this, arguments as any);
    if (typeof decorator !== 'function') return decorator;
    return function (target: any, key: string | symbol, descriptor: any) {
      const d = decorator(target, key, descriptor) ?? descriptor;
      if (!config.enabled || !config.ready || d == null) return d;
      const className =
        typeof target === 'function' ? target.name : target?.constructor?.name;
      for (const kind of ['value', 'get', 'set'] as const) {
        const fn = d[kind];
        if (typeof fn !== 'function' || isTraced(fn)) continue;
        d[kind] = wrapTraced(fn, {
          name: methodSpanName(className, kind, key),
          tracer: config.tracer,
          contextKey: Object.getOwnPropertyDescriptor(target, key)?.value,
        });
      }
      return d;
    };
  };
  Object.defineProperty(patched, 'name', { value: factory.name });
  Object.defineProperty(patched, 'length', { value: factory.length });
  Object.defineProperty(patched, patchedMarker, { value: factory });
  return patched as unknown as F;
}

/**
 * Patches the exports of a CommonJS async-init module (`dist/StartStop.js`
 * and its siblings, 1.x) in place. Returns whether it was one.
 */
function patchExports(exports: any, config: InstrumentConfig): boolean {
  if (exports == null || typeof exports !== 'object') return false;
  if (typeof exports.ready !== 'function') return false;
  let patched = false;
  for (const kind of kinds) {
    const d = Object.getOwnPropertyDescriptor(exports, kind);
    if (d === undefined || typeof d.value !== 'function' || !d.writable) {
      continue;
    }
    exports[kind] = patchDecorator(d.value, kind, config);
    patched = true;
  }
  if (patched) {
    const d = Object.getOwnPropertyDescriptor(exports, 'ready');
    if (d?.writable === true) exports.ready = patchReady(d.value, config);
  }
  return patched;
}

export { patchDecorator, patchReady, patchExports };
export type { InstrumentConfig, Kind };
