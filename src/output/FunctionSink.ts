import type { Sink } from '../types.js';

/** Hands each chunk of lines to a function. */
class FunctionSink implements Sink {
  protected fn: (chunk: string) => void;

  /** Throws a `TypeError` when `fn` is not a function. */
  public constructor(fn: (chunk: string) => void) {
    if (typeof fn !== 'function') {
      throw new TypeError('FunctionSink: expected a function');
    }
    this.fn = fn;
  }

  public write(chunk: string): boolean {
    this.fn(chunk);
    return true;
  }

  public writeSync(chunk: string): void {
    if (chunk !== '') this.fn(chunk);
  }

  public close(): void {}
}

export default FunctionSink;
