import type Span from '../Span.js';
import { reportResult } from './utils.js';

/**
 * What the sync and async generator wrappers share: the span and the
 * iterator, and ending the span exactly once, on completion or failure.
 */
abstract class TracedIterator<I> {
  protected span: Span;
  protected iterator: I;
  protected onResult: ((span: Span, result: unknown) => void) | undefined;
  protected done: boolean = false;

  public constructor(
    span: Span,
    iterator: I,
    onResult?: (span: Span, result: unknown) => void,
  ) {
    this.span = span;
    this.iterator = iterator;
    this.onResult = onResult;
  }

  /** Ends the span when `result` is the last one; returns it. */
  protected settle<T, R>(result: IteratorResult<T, R>): IteratorResult<T, R> {
    if (result.done === true && !this.done) {
      this.done = true;
      reportResult(this.span, this.onResult, result.value);
      this.span.end();
    }
    return result;
  }

  /** Ends the span with the failure `e`. */
  protected fail(e: unknown): void {
    if (this.done) return;
    this.done = true;
    this.span.recordException(e);
    this.span.end();
  }

  /** Runs one step of the iterator with the span active. */
  protected run<S>(
    fn: (...args: Array<any>) => S,
    args: ArrayLike<unknown>,
  ): S {
    try {
      return this.span.tracer.context.with(this.span, fn, this.iterator, args);
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }
}

export default TracedIterator;
