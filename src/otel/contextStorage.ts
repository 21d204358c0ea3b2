import type { Context } from '@opentelemetry/api';
import { findAsyncLocalStorage } from '../context/AlsContextManager.js';

/** Where the active OpenTelemetry context lives. */
type ContextStorage = {
  getStore(): Context | undefined;
  run<R>(
    store: Context,
    fn: (...args: Array<any>) => R,
    ...args: Array<any>
  ): R;
};

/**
 * AsyncLocalStorage where the runtime has it, else a synchronous stack
 * (exact for synchronous nesting; continuations after `await` see the root
 * context, as with spantrail's shim).
 */
function createContextStorage(): ContextStorage {
  const AsyncLocalStorage = findAsyncLocalStorage();
  if (AsyncLocalStorage != null) return new AsyncLocalStorage<Context>();
  let current: Context | undefined;
  return {
    getStore: () => current,
    run(store, fn, ...args) {
      const previous = current;
      current = store;
      try {
        return fn(...args);
      } finally {
        current = previous;
      }
    },
  };
}

export { createContextStorage };
export type { ContextStorage };
