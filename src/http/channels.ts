import { getBuiltin } from '../utils/platform.js';

type Handler = (message: any) => void;

/**
 * Subscribes `handlers` to Node's diagnostics channels of the same names
 * and returns what undoes it, or undefined where the runtime has no
 * `diagnostics_channel`. A handler that throws is ignored: diagnostics
 * channels would rethrow it into the program on the next tick.
 */
function subscribeChannels(
  handlers: Record<string, Handler>,
): (() => void) | undefined {
  const dc = getBuiltin('node:diagnostics_channel');
  if (dc == null || typeof dc.channel !== 'function') return undefined;
  const undo: Array<() => void> = [];
  for (const [name, handler] of Object.entries(handlers)) {
    const safe = (message: unknown) => {
      try {
        handler(message);
      } catch {
        // tracing must never break the program's requests
      }
    };
    const channel = dc.channel(name);
    channel.subscribe(safe);
    undo.push(() => channel.unsubscribe(safe));
  }
  return () => {
    for (const u of undo) u();
  };
}

/**
 * `listener` for an event of the program's own request or response: what
 * it throws would reach the program as an uncaught exception, so it is
 * dropped (the span stays as it was).
 */
function guarded(listener: () => void): () => void {
  return () => {
    try {
      listener();
    } catch {
      // tracing must never break the program's requests
    }
  };
}

export { subscribeChannels, guarded };
export type { Handler };
