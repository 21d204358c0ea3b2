import type { ContextManager } from '../types.js';
import AlsContextManager from './AlsContextManager.js';
import ShimContextManager from './ShimContextManager.js';
import { setResumeTarget } from './resumeTarget.js';

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
    if (AlsContextManager.isAvailable()) return new AlsContextManager();
    // the shared default shim is the one the await transform restores
    const shim = new ShimContextManager();
    setResumeTarget(shim);
    return shim;
  }
  let valid = false;
  try {
    valid =
      typeof option === 'object' &&
      typeof option.active === 'function' &&
      typeof option.with === 'function' &&
      typeof option.bind === 'function';
  } catch {
    // a Proxy or getters that throw: not a context manager
  }
  if (valid) return option as ContextManager;
  throw new TypeError(
    `context: expected 'als', 'shim' or a context manager, got ${typeof option === 'string' ? option : typeof option}`,
  );
}

/**
 * Attribute set (to true) on a root span started under the shim while async
 * work run with a span was pending: its parent may have been lost.
 */
const contextLostAttribute = 'spantrail.context.lost';

export { createContextManager, contextLostAttribute };
