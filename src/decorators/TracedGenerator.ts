import type Span from '../Span.js';
import type Tracer from '../Tracer.js';
import { reportResult } from './utils.js';

/**
 * A generator returned by a traced method: every `next`, `throw` and
 * `return` runs with the span active, and the span ends when the generator
 * finishes, throws, or is closed early (`return()`, `break`).
 */
class TracedGenerator<T = unknown, R = unknown, N = unknown> {
  protected tracer: Tracer;
  protected span: Span;
  protected iterator: Generator<T, R, N>;
  protected onResult: ((span: Span, result: unknown) => void) | undefined;
  protected done: boolean = false;

  public constructor(
    tracer: Tracer,
    span: Span,
    iterator: Generator<T, R, N>,
    onResult?: (span: Span, result: unknown) => void,
  ) {
    this.tracer = tracer;
    this.span = span;
    this.iterator = iterator;
    this.onResult = onResult;
  }

  public get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  public [Symbol.iterator](): this {
    return this;
  }

  public next(...args: [] | [N]): IteratorResult<T, R> {
    return this.step(this.iterator.next, args);
  }

  public return(value: R): IteratorResult<T, R> {
    return this.step(this.iterator.return, [value]);
  }

  public throw(e: unknown): IteratorResult<T, R> {
    return this.step(this.iterator.throw, [e]);
  }

  protected step(
    fn: (...args: Array<any>) => IteratorResult<T, R>,
    args: Array<unknown>,
  ): IteratorResult<T, R> {
    if (this.done) return fn.apply(this.iterator, args);
    let r: IteratorResult<T, R>;
    try {
      r = this.tracer.context.with(this.span, fn, this.iterator, args);
    } catch (e) {
      this.done = true;
      this.span.recordException(e);
      this.span.end();
      throw e;
    }
    if (r.done === true) {
      this.done = true;
      reportResult(this.span, this.onResult, r.value);
      this.span.end();
    }
    return r;
  }
}

export default TracedGenerator;
