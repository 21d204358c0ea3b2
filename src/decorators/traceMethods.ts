import type { TraceableOptions } from '../methods/types.js';
import type { WrapSpec } from '../methods/wrap.js';
import type { AsyncInitInfo } from '../asyncInit/detect.js';
import type { Phase } from '../asyncInit/lifecycle.js';
import { wrapTraced } from '../methods/wrap.js';
import { findAsyncInit } from '../asyncInit/detect.js';
import { isBody, wrapBody } from '../asyncInit/install.js';
import { isTraced } from '../methods/markers.js';
import { methodSpanName } from '../methods/names.js';

const phases: ReadonlySet<string | symbol> = new Set([
  'start',
  'stop',
  'destroy',
]);

/** The prototype `@matrixai/events`' `Evented` mixin adds. */
function isEventedProto(p: object): boolean {
  for (const s of Object.getOwnPropertySymbols(p)) {
    if (s.description === 'eventTarget') return true;
  }
  return false;
}

function isLifecycleKey(key: string | symbol, info: AsyncInitInfo): boolean {
  return (
    ((key === 'start' || key === 'stop') && info.startStop) ||
    (key === 'destroy' && info.createDestroy)
  );
}

type Target = {
  /** Where the wrappers go (a prototype, a class, or one object). */
  holder: object;
  /** Where the methods are looked up, walking up from here. */
  from: object;
  /** Where the walk stops (exclusive). */
  stop: object | null;
  isStatic: boolean;
};

/**
 * Wraps every method found on the chain of `target.from` (first one found
 * wins, as lookups do) and defines the wrapper on `target.holder`: in place
 * for its own methods, shadowing for inherited ones, so base classes shared
 * with other classes stay untouched.
 */
function wrapChain(
  target: Target,
  className: string,
  options: TraceableOptions,
  info: AsyncInitInfo | undefined,
  bodies: 'fallback' | 'skip',
): number {
  const include =
    options.include == null ? undefined : new Set(options.include);
  const exclude = new Set(options.exclude ?? []);
  const seen = new Set<string | symbol>(
    target.isStatic
      ? ['length', 'name', 'prototype', 'caller', 'arguments']
      : ['constructor'],
  );
  let count = 0;
  for (
    let p: any = target.from;
    p != null && p !== target.stop;
    p = Object.getPrototypeOf(p)
  ) {
    const machinery =
      !target.isStatic && (isEventedProto(p) || p === info?.proto);
    for (const key of Reflect.ownKeys(p)) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (include !== undefined ? !include.has(key) : typeof key === 'symbol') {
        continue;
      }
      if (exclude.has(key)) continue;
      // async-init's own start/stop/destroy and Evented's methods are
      // traced as the lifecycle, not as calls, unless asked for by name
      if (machinery && include === undefined) continue;
      if (!target.isStatic && info !== undefined && isLifecycleKey(key, info)) {
        continue;
      }
      const d = Object.getOwnPropertyDescriptor(p, key)!;
      if (!d.configurable && p === target.holder) continue;
      let changed = false;
      for (const kind of ['value', 'get', 'set'] as const) {
        const fn = d[kind];
        if (typeof fn !== 'function' || isTraced(fn) || isBody(fn)) continue;
        if (kind !== 'value' && options.accessors !== true) continue;
        const spec: WrapSpec = {
          name: methodSpanName(className, kind, key),
          kind: options.kind,
          tracer: options.tracer,
        };
        d[kind] =
          kind === 'value' &&
          !target.isStatic &&
          bodies === 'fallback' &&
          phases.has(key)
            ? wrapBody(fn, key as Phase, spec)
            : wrapTraced(fn, spec);
        changed = true;
      }
      if (changed) {
        Object.defineProperty(target.holder, key, d);
        count++;
      }
    }
  }
  return count;
}

/**
 * Wraps the methods of `Class` (own and inherited, static unless
 * `statics: false`) as `@Traceable` does. Methods already traced are left
 * alone. Returns how many were wrapped.
 */
function traceMethods(
  Class: abstract new (...args: Array<any>) => any,
  options: TraceableOptions,
): number {
  const className = options.name ?? Class.name;
  const info = findAsyncInit(Class.prototype);
  // before the async-init decorator, `start`/`stop`/`destroy` may turn out
  // to be phase bodies: their wrapper decides per call
  const bodies = info === undefined ? 'fallback' : 'skip';
  let count = wrapChain(
    {
      holder: Class.prototype,
      from: Class.prototype,
      stop: Object.prototype,
      isStatic: false,
    },
    className,
    options,
    info,
    bodies,
  );
  if (options.statics !== false) {
    count += wrapChain(
      { holder: Class, from: Class, stop: Function.prototype, isStatic: true },
      className,
      options,
      info,
      bodies,
    );
  }
  return count;
}

/** Wraps the methods reachable from `object` as own properties of it. */
function traceInstanceMethods(
  object: object,
  options: TraceableOptions,
): number {
  const info = findAsyncInit(Object.getPrototypeOf(object));
  return wrapChain(
    {
      holder: object,
      from: Object.getPrototypeOf(object),
      stop: Object.prototype,
      isStatic: false,
    },
    options.name ?? (object as any).constructor?.name ?? 'Object',
    options,
    info,
    'skip',
  );
}

export { traceMethods, traceInstanceMethods };
