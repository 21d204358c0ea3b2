import TracedIterator from './TracedIterator.js';

/**
 * A generator returned by a traced method: every `next`, `throw` and
 * `return` runs with the span active, and the span ends when the generator
 * finishes, throws, or is closed early (`return()`, `break`).
 */
class TracedGenerator<
  T = unknown,
  R = unknown,
  N = unknown,
> extends TracedIterator<Generator<T, R, N>> {
  public get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  public [Symbol.iterator](): this {
    return this;
  }

  public next(...args: [] | [N]): IteratorResult<T, R> {
    return this.settle(this.run(this.iterator.next, args));
  }

  public return(value: R): IteratorResult<T, R> {
    return this.settle(this.run(this.iterator.return, [value]));
  }

  public throw(e: unknown): IteratorResult<T, R> {
    return this.settle(this.run(this.iterator.throw, [e]));
  }
}

export default TracedGenerator;
