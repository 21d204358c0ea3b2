import type Span from '../Span.js';
import type { ContextManager, SpanContext } from '../types.js';

type Store = Span | SpanContext | undefined;

/**
 * The active span without AsyncLocalStorage (browsers): a synchronous
 * stack. It is exact for synchronous nesting and never wrong: continuations
 * after an `await` run from an empty stack, so they see no active span (the
 * parent is missing, never someone else's). Explicit context objects and
 * object-bound spans fill in what it cannot know.
 */
class ShimContextManager implements ContextManager {
  protected current: Store = undefined;

  public active(): Store {
    return this.current;
  }

  public with<R>(
    span: Store,
    fn: (...args: Array<any>) => R,
    thisArg?: unknown,
    args?: ArrayLike<unknown>,
  ): R {
    const previous = this.current;
    this.current = span;
    try {
      return fn.apply(thisArg, args as Array<unknown>);
    } finally {
      this.current = previous;
    }
  }

  public bind<F extends (...args: Array<any>) => any>(
    fn: F,
    span: Store = this.active(),
  ): F {
    const manager = this;
    return function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return manager.with(span, fn, this, arguments);
    } as unknown as F;
  }
}

export default ShimContextManager;
