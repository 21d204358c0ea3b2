import type Span from '../Span.js';
import type { WrapSpec } from '../methods/wrap.js';
import type { AsyncInitInfo } from './detect.js';
import type { LifecycleConfig, OpenPhase, Phase } from './lifecycle.js';
import { getTracer } from '../global.js';
import { getObjectSpan } from '../context/objectContext.js';
import { invokeTraced, keepIdentity } from '../methods/wrap.js';
import { findAsyncInit, infoOf } from './detect.js';
import { watchThenable } from '../utils/thenables.js';
import {
  classConfigs,
  instanceConfigs,
  states,
  configOf,
  stateOf,
  openLifetime,
  beginPhase,
  endPhase,
  onEvent,
} from './lifecycle.js';

// Hooks the lifecycle state machine into async-init classes: their
// `dispatchEvent`, their phase bodies and their constructors.

const lifecycleMarker: unique symbol = Symbol.for('spantrail.lifecycle') as any;
const bodyMarker: unique symbol = Symbol.for('spantrail.lifecycle.body') as any;

function makeDispatch(
  parent: () => ((event: Event) => boolean) | undefined,
  info: AsyncInitInfo,
): (this: any, event: Event) => boolean {
  return function dispatchEvent(this: any, event: Event): boolean {
    try {
      onEvent(this, info);
    } catch {
      // tracing must never break the program's lifecycle
    }
    return parent()!.call(this, event);
  };
}

/**
 * Wraps the body of a phase (the `start`/`stop`/`destroy` that async-init
 * calls as `super.start()`): the body runs with the phase span active, and
 * a throw or rejection ends the phase (and a failed start its lifetime)
 * with ERROR. Without events (old async-init) the body opens and closes the
 * phase itself. On other objects it behaves as `fallback` (a traced
 * method) or as the plain method.
 */
function wrapBody<F extends (...args: Array<any>) => any>(
  method: F,
  name: Phase,
  fallback?: WrapSpec,
): F {
  const wrapped = function (this: any) {
    const self = this;
    const info =
      self != null && typeof self === 'object' ? infoOf(self) : undefined;
    let phase: OpenPhase | undefined;
    if (info !== undefined) {
      phase = states.get(self)?.phase;
      if (phase !== undefined && phase.name !== name) phase = undefined;
      if (phase === undefined) {
        const config = configOf(self, info);
        const tracer = config && (config.tracer ?? getTracer());
        if (tracer?.enabled === true) {
          phase = beginPhase(tracer, self, name, false);
        }
      }
    }
    if (phase === undefined) {
      if (fallback !== undefined) {
        const tracer = fallback.tracer ?? getTracer();
        if (tracer.enabled) {
          // eslint-disable-next-line prefer-rest-params
          return invokeTraced(tracer, fallback, method, self, arguments);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return method.apply(self, arguments as any);
    }
    const open = phase;
    let result: any;
    try {
      result = open.span.tracer.context.with(
        open.span,
        method,
        self,
        // eslint-disable-next-line prefer-rest-params
        arguments,
      );
    } catch (e) {
      endPhase(self, open, e);
      throw e;
    }
    if (result != null && typeof result.then === 'function') {
      return watchThenable(result, (failed, reason) => {
        if (failed) endPhase(self, open, reason);
        else if (!open.byEvent) endPhase(self, open);
      });
    }
    if (!open.byEvent) endPhase(self, open);
    return result;
  };
  keepIdentity(wrapped, method);
  Object.defineProperty(wrapped, bodyMarker, { value: name });
  return wrapped as unknown as F;
}

function isBody(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as any)[bodyMarker] !== undefined;
}

/** Wraps the phase bodies below the async-init prototype, in place. */
function wrapBodies(info: AsyncInitInfo): void {
  const phases: Array<Phase> = [];
  if (info.startStop) phases.push('start', 'stop');
  if (info.createDestroy) phases.push('destroy');
  for (const name of phases) {
    for (
      let p: any = Object.getPrototypeOf(info.proto);
      p != null && p !== Object.prototype;
      p = Object.getPrototypeOf(p)
    ) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d === undefined) continue;
      if (typeof d.value === 'function' && !isBody(d.value) && d.writable) {
        p[name] = wrapBody(d.value, name);
      }
      break;
    }
  }
}

/**
 * Traces the lifecycle of every instance of the async-init class whose
 * prototype chain holds `proto`. Returns false when it is no async-init
 * class. Idempotent: the first configuration wins.
 */
function installLifecycle(
  proto: object,
  config: LifecycleConfig = {},
): boolean {
  const info = findAsyncInit(proto);
  if (info === undefined) return false;
  if (!classConfigs.has(info.proto)) classConfigs.set(info.proto, config);
  if (!Object.prototype.hasOwnProperty.call(info.proto, lifecycleMarker)) {
    Object.defineProperty(info.proto, lifecycleMarker, { value: true });
    const parentProto = Object.getPrototypeOf(info.proto);
    Object.defineProperty(info.proto, 'dispatchEvent', {
      value: makeDispatch(() => parentProto?.dispatchEvent, info),
      writable: true,
      configurable: true,
      enumerable: false,
    });
    wrapBodies(info);
  }
  return true;
}

/**
 * Traces the lifecycle of one instance. A running instance gets its
 * lifetime span now.
 */
function installInstanceLifecycle(
  instance: object,
  config: LifecycleConfig = {},
): boolean {
  const info = infoOf(instance);
  if (info === undefined) return false;
  if (!instanceConfigs.has(instance)) instanceConfigs.set(instance, config);
  if (
    !Object.prototype.hasOwnProperty.call(info.proto, lifecycleMarker) &&
    !Object.prototype.hasOwnProperty.call(instance, 'dispatchEvent')
  ) {
    const proto = Object.getPrototypeOf(instance);
    Object.defineProperty(instance, 'dispatchEvent', {
      value: makeDispatch(() => proto.dispatchEvent, info),
      writable: true,
      configurable: true,
      enumerable: false,
    });
    wrapBodies(info);
  }
  const tracer = config.tracer ?? getTracer();
  const state = stateOf(instance);
  const i = instance as any;
  const alive = info.startStop
    ? i[info.running!] === true
    : info.destroyed !== undefined && i[info.destroyed] !== true;
  if (tracer.enabled && alive && state.lifetime === undefined) {
    openLifetime(tracer, instance, state);
  }
  return true;
}

/**
 * Called when an instance of a traced class is constructed: installs the
 * lifecycle on its async-init class (known only now when `@Traceable` is
 * applied before the async-init decorator) and opens the lifetime of a
 * CreateDestroy instance, which lives from creation until destroy.
 */
function onConstruct(
  instance: object,
  newTarget: unknown,
  config: LifecycleConfig,
  args?: ArrayLike<unknown>,
): void {
  try {
    const proto =
      typeof newTarget === 'function'
        ? newTarget.prototype
        : Object.getPrototypeOf(instance);
    if (!installLifecycle(proto, config)) return;
    const info = findAsyncInit(proto)!;
    if (info.startStop) return;
    const tracer = configOf(instance, info)?.tracer ?? getTracer();
    if (!tracer.enabled) return;
    const state = stateOf(instance);
    if (state.lifetime === undefined) {
      openLifetime(tracer, instance, state, ownerSpan(args));
    }
  } catch {
    // tracing must never break construction
  }
}

/**
 * The open lifetime of an object the constructor was given, directly or in
 * an options bag (`new DBTransaction({ db })`): the parent of a
 * CreateDestroy lifetime when no span is active.
 */
function ownerSpan(args: ArrayLike<unknown> | undefined): Span | undefined {
  if (args === undefined) return undefined;
  // only an unambiguous owner: with two traced objects among the arguments
  // (`{ db, keyRing }`) either could be the owner, and a wrong parent is
  // worse than none
  let owner: Span | undefined;
  const consider = (span: Span | undefined): boolean => {
    if (span === undefined || span === owner) return true;
    if (owner !== undefined) return false;
    owner = span;
    return true;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == null || typeof a !== 'object') continue;
    if (!consider(getObjectSpan(a))) return undefined;
    if (Object.getPrototypeOf(a) !== Object.prototype) continue;
    for (const key of Object.keys(a)) {
      if (!consider(getObjectSpan((a as any)[key]))) return undefined;
    }
  }
  return owner;
}

/**
 * A class defined as the value of a computed key takes the key as its own
 * name, the one V8 prints in stack frames. Returned, not assigned: on the
 * right of `const Hooked =` V8 would name it after the variable.
 */
function hookedSubclass(name: string, Base: any, config: LifecycleConfig): any {
  return {
    [name]: class extends Base {
      constructor(...args: Array<any>) {
        super(...args);
        onConstruct(this, new.target, config, args);
      }
    },
  }[name];
}

/**
 * A subclass of `Class` that calls {@link onConstruct}. It is what the
 * user sees as their class, so it keeps the class's `name`, its name in
 * stack frames (`at Orders.place`, not the subclass's) and its `toString`.
 */
function withConstructHook<C extends abstract new (...args: Array<any>) => any>(
  Class: C,
  config: LifecycleConfig,
): C {
  const Base = Class as any;
  const nameDescriptor = Object.getOwnPropertyDescriptor(Class, 'name');
  const name =
    typeof nameDescriptor?.value === 'string' ? nameDescriptor.value : '';
  const Hooked = hookedSubclass(name, Base, config);
  if (nameDescriptor !== undefined) {
    Object.defineProperty(Hooked, 'name', nameDescriptor);
  }
  if (Hooked.toString === Function.prototype.toString) {
    Object.defineProperty(Hooked, 'toString', {
      value: function toString(): string {
        return Function.prototype.toString.call(Class);
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return Hooked as unknown as C;
}

export {
  installLifecycle,
  installInstanceLifecycle,
  withConstructHook,
  wrapBody,
  isBody,
};
