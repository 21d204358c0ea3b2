import TracedIterator from './TracedIterator.js';

/**
 * An async generator returned by a traced method: every `next`, `throw` and
 * `return` runs with the span active, and the span ends when the generator
 * finishes, rejects, or is closed early (`return()`, `break` in
 * `for await`).
 */
class TracedAsyncGenerator<
  T = unknown,
  R = unknown,
  N = unknown,
> extends TracedIterator<AsyncGenerator<T, R, N>> {
  public get [Symbol.toStringTag](): string {
    return 'AsyncGenerator';
  }

  public [Symbol.asyncIterator](): this {
    return this;
  }

  public next(...args: [] | [N]): Promise<IteratorResult<T, R>> {
    return this.step(this.iterator.next, args);
  }

  public return(value: R | PromiseLike<R>): Promise<IteratorResult<T, R>> {
    return this.step(this.iterator.return, [value]);
  }

  public throw(e: unknown): Promise<IteratorResult<T, R>> {
    return this.step(this.iterator.throw, [e]);
  }

  protected step(
    fn: (...args: Array<any>) => Promise<IteratorResult<T, R>>,
    args: ArrayLike<unknown>,
  ): Promise<IteratorResult<T, R>> {
    return this.run(fn, args).then(
      (r) => this.settle(r),
      (e) => {
        this.fail(e);
        throw e;
      },
    );
  }
}

export default TracedAsyncGenerator;
