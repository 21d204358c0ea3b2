import type Span from '../Span.js';
import type Tracer from '../Tracer.js';
import { reportResult } from './utils.js';

/**
 * An async generator returned by a traced method: every `next`, `throw` and
 * `return` runs with the span active, and the span ends when the generator
 * finishes, rejects, or is closed early (`return()`, `break` in
 * `for await`).
 */
class TracedAsyncGenerator<T = unknown, R = unknown, N = unknown> {
  protected tracer: Tracer;
  protected span: Span;
  protected iterator: AsyncGenerator<T, R, N>;
  protected onResult: ((span: Span, result: unknown) => void) | undefined;
  protected done: boolean = false;

  public constructor(
    tracer: Tracer,
    span: Span,
    iterator: AsyncGenerator<T, R, N>,
    onResult?: (span: Span, result: unknown) => void,
  ) {
    this.tracer = tracer;
    this.span = span;
    this.iterator = iterator;
    this.onResult = onResult;
  }

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
    args: Array<unknown>,
  ): Promise<IteratorResult<T, R>> {
    if (this.done) return fn.apply(this.iterator, args);
    let p: Promise<IteratorResult<T, R>>;
    try {
      p = this.tracer.context.with(this.span, fn, this.iterator, args);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    return p.then(
      (r) => {
        if (r.done === true && !this.done) {
          this.done = true;
          reportResult(this.span, this.onResult, r.value);
          this.span.end();
        }
        return r;
      },
      (e) => {
        this.fail(e);
        throw e;
      },
    );
  }

  protected fail(e: unknown): void {
    if (this.done) return;
    this.done = true;
    this.span.recordException(e);
    this.span.end();
  }
}

export default TracedAsyncGenerator;
