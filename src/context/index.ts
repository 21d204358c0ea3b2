import type { ContextManager } from '../types.js';
import AlsContextManager from './AlsContextManager.js';
import ShimContextManager from './ShimContextManager.js';

/**
 * The context manager for a tracer option: AsyncLocalStorage where the
 * runtime has it, else the shim.
 */
function createContextManager(
  option: 'als' | 'shim' | ContextManager | undefined,
): ContextManager {
  if (option === 'shim') return new ShimContextManager();
  if (option === 'als') return new AlsContextManager();
  if (option == null) {
    return AlsContextManager.isAvailable()
      ? new AlsContextManager()
      : new ShimContextManager();
  }
  if (
    typeof option === 'object' &&
    typeof option.active === 'function' &&
    typeof option.with === 'function' &&
    typeof option.bind === 'function'
  ) {
    return option;
  }
  throw new TypeError(
    `context: expected 'als', 'shim' or a context manager, got ${String(option)}`,
  );
}

export { createContextManager, AlsContextManager, ShimContextManager };
export * from './objectContext.js';
