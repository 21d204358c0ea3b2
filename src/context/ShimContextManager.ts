import type Span from '../Span.js';
import { watchThenable } from '../utils/thenables.js';
import type { ContextManager, SpanContext } from '../types.js';
import { boundCall } from '../utils/bound.js';

type Store = Span | SpanContext | undefined;

/**
 * The active span without AsyncLocalStorage (browsers): a synchronous
 * stack. It is exact for synchronous nesting and never wrong: continuations
 * after an `await`, timers and other callbacks run from an empty stack, so
 * they see no active span (the parent is missing, never someone else's).
 * Explicit context objects, object-bound spans and {@link bind} fill in what
 * it cannot know.
 *
 * It also counts the async functions it runs that have not settled yet: a
 * span started outside any `with` while one is pending may have lost its
 * parent, which {@link ShimContextManager.lost} reports so that the tracer
 * marks such roots.
 */
class ShimContextManager implements ContextManager {
  protected current: Store = undefined;
  /** `with` calls on the stack; inside one the context is known. */
  protected depth: number = 0;
  /** Promises returned through `with` that have not settled. */
  protected pending: number = 0;

  public active(): Store {
    return this.current;
  }

  /**
   * Whether a span started now, with no active span, may be missing its
   * parent: async work run with a span is still pending and we are not
   * inside a `with` (where the context is known, even if empty).
   */
  public lost(): boolean {
    return this.pending > 0 && this.depth === 0 && this.current === undefined;
  }

  /**
   * Calls `fn` with `span` active. When `fn` returns a thenable and `span`
   * is set, the result is chained to count it while pending; the chained
   * promise settles as the original does.
   */
  public with<R>(
    span: Store,
    fn: (...args: Array<any>) => R,
    thisArg?: unknown,
    args?: ArrayLike<unknown>,
  ): R {
    return this.run(span, true, fn, thisArg, args);
  }

  /**
   * Returns `fn` bound to `span`, or to the span active now. Binding where
   * the context is already lost (after an `await`) binds to "unknown": the
   * callback runs with no active span and its roots are marked as lost.
   */
  public bind<F extends (...args: Array<any>) => any>(
    fn: F,
    span: Store = this.active(),
  ): F {
    const known = span !== undefined || !this.lost();
    return boundCall(fn, (f, thisArg, args) =>
      this.run(span, known, f, thisArg, args),
    );
  }

  /**
   * Makes `span` active outside any `with` and returns the span that was
   * active. The await transform (`spantrail/vite`, `spantrail/esbuild`)
   * uses it to give a resumed async function its own span back, and to put
   * the previous one back before the function suspends again.
   */
  public swap(span: Store): Store {
    const previous = this.current;
    this.current = span;
    return previous;
  }

  protected run<R>(
    span: Store,
    known: boolean,
    fn: (...args: Array<any>) => R,
    thisArg: unknown,
    args: ArrayLike<unknown> | undefined,
  ): R {
    const previous = this.current;
    this.current = span;
    if (known) this.depth++;
    let result: R;
    try {
      result = fn.apply(thisArg, args as Array<unknown>);
    } finally {
      this.current = previous;
      if (known) this.depth--;
    }
    if (
      span !== undefined &&
      result !== null &&
      typeof result === 'object' &&
      typeof (result as any).then === 'function'
    ) {
      return this.track(result);
    }
    return result;
  }

  /**
   * Counts `result` as pending until it settles. A native promise is
   * returned chained, settling the same way, so a rejection nobody handles
   * still surfaces. Other thenables (e.g. a `PromiseCancellable`, whose
   * chained copy would not cancel the original) are returned as they are,
   * with a handler attached.
   */
  protected track<R>(result: R): R {
    let settled = false;
    this.pending++;
    return watchThenable(result, () => {
      if (!settled) {
        settled = true;
        this.pending--;
      }
    });
  }
}

export default ShimContextManager;
