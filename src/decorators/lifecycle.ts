import type Span from '../Span.js';
import type Tracer from '../Tracer.js';
import type { WrapSpec } from './wrap.js';
import { SpanStatusCode } from '../constants.js';
import { getTracer } from '../global.js';
import { getObjectSpan, setObjectSpan } from '../context/objectContext.js';
import { invokeTraced, keepIdentity } from './wrap.js';

// `@matrixai/async-init` (1.x and 2.x alike) builds a subclass whose
// prototype owns `start`/`stop`/`destroy` and symbol getters named
// `running`/`destroyed`/`status`. Several copies of the package (2.x, 1.x,
// nested 1.x) each have their own symbols, so they are found by their
// description, never imported.

type Phase = 'start' | 'stop' | 'destroy';

type AsyncInitInfo = {
  /** The prototype async-init generated. */
  proto: object;
  running: symbol | undefined;
  destroyed: symbol | undefined;
  status: symbol | undefined;
  startStop: boolean;
  createDestroy: boolean;
};

type LifecycleConfig = {
  /** Default: the global tracer at the time of the event. */
  tracer?: Tracer;
};

type OpenPhase = {
  name: Phase;
  span: Span;
  /** Opened by an async-init event (so the `*ed` event closes it). */
  byEvent: boolean;
};

type LifecycleState = {
  lifetime: Span | undefined;
  /** The last lifetime, kept as parent of a destroy that follows a stop. */
  last: Span | undefined;
  phase: OpenPhase | undefined;
};

const lifecycleMarker: unique symbol = Symbol.for('spantrail.lifecycle') as any;
const bodyMarker: unique symbol = Symbol.for('spantrail.lifecycle.body') as any;

const infoCache: WeakMap<object, AsyncInitInfo | null> = new WeakMap();
/** Classes (async-init prototypes) whose every instance is traced. */
const classConfigs: WeakMap<object, LifecycleConfig> = new WeakMap();
/** Instances traced one by one ({@link traceObject}). */
const instanceConfigs: WeakMap<object, LifecycleConfig> = new WeakMap();
const states: WeakMap<object, LifecycleState> = new WeakMap();

function ownInfo(p: object): AsyncInitInfo | undefined {
  let running: symbol | undefined;
  let destroyed: symbol | undefined;
  let status: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(p)) {
    const d = Object.getOwnPropertyDescriptor(p, s);
    if (d?.get === undefined) continue;
    if (s.description === 'running') running = s;
    else if (s.description === 'destroyed') destroyed = s;
    else if (s.description === 'status') status = s;
  }
  const has = (k: string) =>
    typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function';
  const startStop = running !== undefined && has('start') && has('stop');
  const createDestroy = destroyed !== undefined && has('destroy');
  if (!startStop && !createDestroy) return undefined;
  return { proto: p, running, destroyed, status, startStop, createDestroy };
}

/**
 * The async-init prototype in the chain of `object` (a prototype or an
 * instance), if `object` comes from an async-init class.
 */
function findAsyncInit(object: unknown): AsyncInitInfo | undefined {
  if (object == null || typeof object !== 'object') return undefined;
  const start = object;
  const cached = infoCache.get(start);
  if (cached !== undefined) return cached ?? undefined;
  let found: AsyncInitInfo | undefined;
  for (
    let p: any = start;
    p != null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const c = infoCache.get(p);
    if (c !== undefined) {
      found = c ?? undefined;
      break;
    }
    found = ownInfo(p);
    if (found !== undefined) break;
  }
  // instances are not cached: they are many and short-lived
  if (!isInstanceLike(start)) infoCache.set(start, found ?? null);
  return found;
}

function isInstanceLike(o: object): boolean {
  return !Object.prototype.hasOwnProperty.call(o, 'constructor');
}

function infoOf(instance: object): AsyncInitInfo | undefined {
  return findAsyncInit(Object.getPrototypeOf(instance));
}

function configOf(
  instance: object,
  info: AsyncInitInfo,
): LifecycleConfig | undefined {
  return instanceConfigs.get(instance) ?? classConfigs.get(info.proto);
}

function className(instance: object): string {
  const name = (instance as any).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

function stateOf(instance: object): LifecycleState {
  let state = states.get(instance);
  if (state === undefined) {
    state = { lifetime: undefined, last: undefined, phase: undefined };
    states.set(instance, state);
  }
  return state;
}

function openLifetime(
  tracer: Tracer,
  instance: object,
  state: LifecycleState,
  owner?: Span,
) {
  const lifetime = tracer.startSpan(className(instance), {
    parent: tracer.context.active() ?? owner,
    attributes: { 'spantrail.lifecycle': 'lifetime' },
  });
  state.lifetime = lifetime;
  state.last = lifetime;
  setObjectSpan(instance, lifetime);
}

function closeLifetime(
  instance: object,
  state: LifecycleState,
  error?: unknown,
): void {
  const lifetime = state.lifetime;
  if (lifetime === undefined) return;
  if (error !== undefined) {
    lifetime.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  lifetime.end();
  state.lifetime = undefined;
  setObjectSpan(instance, undefined);
}

function beginPhase(
  tracer: Tracer,
  instance: object,
  name: Phase,
  byEvent: boolean,
): OpenPhase {
  const state = stateOf(instance);
  if (
    name === 'start' &&
    (state.lifetime === undefined || state.lifetime.isEnded())
  ) {
    openLifetime(tracer, instance, state);
  }
  // a destroy after stop joins the last lifetime when nothing is active
  const parent =
    state.lifetime !== undefined && !state.lifetime.isEnded()
      ? state.lifetime
      : (tracer.context.active() ?? state.last);
  const span = tracer.startSpan(`${className(instance)}.${name}`, {
    parent,
    attributes: { 'spantrail.lifecycle': name },
  });
  const phase: OpenPhase = { name, span, byEvent };
  state.phase = phase;
  return phase;
}

function endPhase(instance: object, phase: OpenPhase, error?: unknown): void {
  const state = stateOf(instance);
  if (state.phase === phase) state.phase = undefined;
  if (phase.span.isEnded()) return;
  const failed = arguments.length > 2;
  if (failed) phase.span.recordException(error);
  phase.span.end();
  if (phase.name === 'start') {
    if (failed) closeLifetime(instance, state, error);
  } else if (!failed) {
    // stopped, or destroyed (the lifetime of a CreateDestroy instance)
    closeLifetime(instance, state);
  }
}

/**
 * Reads the transition async-init is in when it dispatches an event: the
 * event that opens a phase is the first one seen in `starting` /
 * `stopping` / `destroying`; the `*ed` event is the one seen once
 * `running` / `destroyed` has flipped. Custom event classes need no
 * registration this way.
 */
function onEvent(instance: any, info: AsyncInitInfo): void {
  const config = configOf(instance, info);
  if (config === undefined || info.status === undefined) return;
  const status = instance[info.status];
  if (status == null) return;
  const phase = states.get(instance)?.phase;
  let name: Phase;
  let done: boolean;
  if (status === 'starting' && info.running !== undefined) {
    name = 'start';
    done = instance[info.running] === true;
  } else if (status === 'stopping' && info.running !== undefined) {
    name = 'stop';
    done = instance[info.running] === false;
  } else if (status === 'destroying' && info.destroyed !== undefined) {
    name = 'destroy';
    done = instance[info.destroyed] === true;
  } else {
    return;
  }
  if (done) {
    if (phase !== undefined && phase.name === name && phase.byEvent) {
      endPhase(instance, phase);
    }
  } else if (phase === undefined) {
    const tracer = config.tracer ?? getTracer();
    if (tracer.enabled) beginPhase(tracer, instance, name, true);
  }
}

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
      return result.then(
        (value: unknown) => {
          if (!open.byEvent) endPhase(self, open);
          return value;
        },
        (e: unknown) => {
          endPhase(self, open, e);
          throw e;
        },
      );
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
  findAsyncInit,
  installLifecycle,
  installInstanceLifecycle,
  withConstructHook,
  wrapBody,
  isBody,
};
export type { AsyncInitInfo, LifecycleConfig, Phase };
