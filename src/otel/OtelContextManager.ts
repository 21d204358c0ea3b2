import type {
  Context,
  ContextManager as OtelContextManagerApi,
} from '@opentelemetry/api';
import type { ContextStorage } from './contextStorage.js';
import { ROOT_CONTEXT } from './api.js';

const addMethods = [
  'addListener',
  'on',
  'once',
  'prependListener',
  'prependOnceListener',
] as const;
const removeMethods = ['removeListener', 'off'] as const;

type Emitter = Record<string, any>;

// Listeners of bound emitters: event -> user listener -> bound listener.
const boundListeners: WeakMap<
  object,
  Map<string | symbol, WeakMap<Function, Function>>
> = new WeakMap();

/** Whether `target` looks like an event emitter. Never throws. */
function isEmitter(target: unknown): target is Emitter {
  if (typeof target !== 'object' || target === null) return false;
  try {
    return (
      typeof (target as Emitter).on === 'function' &&
      typeof (target as Emitter).emit === 'function' &&
      typeof (target as Emitter).removeListener === 'function'
    );
  } catch {
    // a Proxy or getter that throws: not bound
    return false;
  }
}

/**
 * OpenTelemetry's `ContextManager` over the store a
 * {@link BridgeContextManager} shares with its spantrail tracer: register
 * it with `context.setGlobalContextManager` (the provider's `register()`
 * does). Binds functions and event emitters, as OpenTelemetry's own
 * managers do.
 */
class OtelContextManager implements OtelContextManagerApi {
  protected storage: ContextStorage;

  public constructor(storage: ContextStorage) {
    this.storage = storage;
  }

  public active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  public with<
    A extends Array<unknown>,
    F extends (...args: A) => ReturnType<F>,
  >(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(
      context ?? ROOT_CONTEXT,
      Reflect.apply,
      fn,
      thisArg,
      args,
    );
  }

  public bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') {
      return this.bindFunction(context, target as unknown as Function) as T;
    }
    if (isEmitter(target)) return this.bindEmitter(context, target) as T;
    return target;
  }

  public enable(): this {
    return this;
  }

  /** The store is shared with the spantrail tracer, which still uses it. */
  public disable(): this {
    return this;
  }

  protected bindFunction(context: Context, fn: Function): Function {
    const manager = this;
    const bound = function (this: unknown, ...args: Array<unknown>) {
      return manager.with(context, () => Reflect.apply(fn, this, args));
    };
    let length: unknown;
    try {
      length = fn.length;
    } catch {
      // a function Proxy that throws: the bound function's own length
    }
    if (typeof length === 'number') {
      Object.defineProperty(bound, 'length', { value: length });
    }
    return bound;
  }

  /**
   * Makes listeners added from now on run in `context`, and keeps
   * `removeListener` working with the listeners as the user gave them. An
   * emitter whose methods cannot be replaced (frozen, a Proxy) is left as
   * it was.
   */
  protected bindEmitter(context: Context, emitter: Emitter): Emitter {
    if (boundListeners.has(emitter)) return emitter;
    const replaced: Array<[string, unknown]> = [];
    try {
      this.patchEmitter(context, emitter, replaced);
    } catch {
      boundListeners.delete(emitter);
      for (const [name, original] of replaced.reverse()) {
        try {
          emitter[name] = original;
        } catch {
          // put back what can be
        }
      }
    }
    return emitter;
  }

  /** Replaces `emitter`'s methods, noting each original in `replaced`. */
  protected patchEmitter(
    context: Context,
    emitter: Emitter,
    replaced: Array<[string, unknown]>,
  ): void {
    const map: Map<string | symbol, WeakMap<Function, Function>> = new Map();
    boundListeners.set(emitter, map);
    const manager = this;
    let adding = false;
    for (const name of addMethods) {
      const original = emitter[name];
      if (typeof original !== 'function') continue;
      replaced.push([name, original]);
      emitter[name] = function (
        this: unknown,
        event: string | symbol,
        listener: Function,
      ) {
        // `once` calls `on` with its own wrapper: bind only the outer call
        if (adding || typeof listener !== 'function') {
          return original.call(this, event, listener);
        }
        let listeners = map.get(event);
        if (listeners === undefined) {
          listeners = new WeakMap();
          map.set(event, listeners);
        }
        const bound = manager.bindFunction(context, listener);
        listeners.set(listener, bound);
        adding = true;
        try {
          return original.call(this, event, bound);
        } finally {
          adding = false;
        }
      };
    }
    for (const name of removeMethods) {
      const original = emitter[name];
      if (typeof original !== 'function') continue;
      replaced.push([name, original]);
      emitter[name] = function (
        this: unknown,
        event: string | symbol,
        listener: Function,
      ) {
        const bound = map.get(event)?.get(listener);
        return original.call(this, event, bound ?? listener);
      };
    }
    const removeAll = emitter.removeAllListeners;
    if (typeof removeAll === 'function') {
      replaced.push(['removeAllListeners', removeAll]);
      emitter.removeAllListeners = function (
        this: unknown,
        ...args: Array<unknown>
      ) {
        if (args.length === 0) map.clear();
        else map.delete(args[0] as string | symbol);
        return removeAll.apply(this, args);
      };
    }
  }
}

export default OtelContextManager;
