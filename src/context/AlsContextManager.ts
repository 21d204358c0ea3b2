import type Span from '../Span.js';
import type { ContextManager, SpanContext } from '../types.js';
import { getBuiltin } from '../utils/platform.js';
import { boundCall } from '../utils/bound.js';

type Store = Span | SpanContext | undefined;

type AsyncLocalStorageLike<T> = {
  getStore(): T | undefined;
  run<R>(store: T, fn: (...args: Array<any>) => R, ...args: Array<any>): R;
  enterWith?(store: T): void;
};

type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>;

/**
 * Finds `AsyncLocalStorage` without a static `node:` import: the global that
 * edge runtimes expose, else `node:async_hooks` through
 * `process.getBuiltinModule` (Node, Deno, Bun).
 */
function findAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const global = (globalThis as any).AsyncLocalStorage;
  if (typeof global === 'function') return global;
  return getBuiltin('node:async_hooks')?.AsyncLocalStorage;
}

/**
 * The active span carried by `AsyncLocalStorage`: exact across `await`,
 * timers and callbacks.
 */
class AlsContextManager implements ContextManager {
  protected storage: AsyncLocalStorageLike<Store>;

  public constructor(
    AsyncLocalStorage:
      AsyncLocalStorageClass | undefined = findAsyncLocalStorage(),
  ) {
    if (AsyncLocalStorage == null) {
      throw new TypeError(
        "context: 'als' needs AsyncLocalStorage, which this runtime lacks",
      );
    }
    this.storage = new AsyncLocalStorage<Store>();
  }

  public active(): Store {
    return this.storage.getStore();
  }

  public with<R>(
    span: Store,
    fn: (...args: Array<any>) => R,
    thisArg?: unknown,
    args?: ArrayLike<unknown>,
  ): R {
    // Reflect.apply as the callback spares a closure per call
    return this.storage.run(span, Reflect.apply, fn, thisArg, args ?? []);
  }

  public enter(span: Store): void {
    this.storage.enterWith?.(span);
  }

  public bind<F extends (...args: Array<any>) => any>(
    fn: F,
    span: Store = this.active(),
  ): F {
    return boundCall(fn, (f, thisArg, args) =>
      this.with(span, f, thisArg, args),
    );
  }

  /** Whether this runtime has AsyncLocalStorage. */
  public static isAvailable(): boolean {
    return findAsyncLocalStorage() != null;
  }
}

export default AlsContextManager;
export { findAsyncLocalStorage };
