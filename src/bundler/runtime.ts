/**
 * What code rewritten by the await transform calls at run time. Each
 * rewritten async function (or async generator) activation gets a frame:
 * the shim's span when it started, and while it runs after a resumption,
 * the span that was active when it resumed (put back before it suspends
 * again, so that nothing leaks into the next job). Where the default
 * context manager is not the shim (AsyncLocalStorage exists), `enter`
 * returns undefined and every other call returns its argument untouched.
 *
 * The transform emits, for a function `f`:
 *
 * - `const $f = enter()` at the top of the body, and the body in
 *   `try { … } finally { exit($f) }`;
 * - `await e` -> `resume($f, await suspend($f, e))`;
 * - `yield e` (async generators) -> `resume($f, yield suspendYield($f, e))`;
 * - `return e` (async generators, which await `e`) -> `return suspend($f, e)`;
 * - `for await (x of e) body` -> `{ for await (x of iterate($f, e))
 *   { resume($f); body } resume($f) }`;
 * - `resume($f)` at the top of every `catch` and `finally` block, where a
 *   rejected `await` continues.
 *
 * @module
 */
import type ShimContextManager from '../context/ShimContextManager.js';
import { getResumeTarget } from '../context/resumeTarget.js';

type Store = ReturnType<ShimContextManager['active']>;

/** One activation of a rewritten async function. */
type Frame = {
  readonly shim: ShimContextManager;
  /** The span the function runs with. */
  ctx: Store;
  /** The span to put back when it suspends. */
  prev: Store;
  /** Whether `ctx` is active now (false while suspended). */
  running: boolean;
  /** Suspended at a `yield`: it resumes in the context of its resumer. */
  yielded: boolean;
};

/**
 * Starts a frame with the span active now (the synchronous part of an
 * async function runs in its caller's context). Undefined when the default
 * context manager is not the shim.
 */
function enter(): Frame | undefined {
  const shim = getResumeTarget();
  if (shim === undefined) return undefined;
  const ctx = shim.active();
  return { shim, ctx, prev: ctx, running: true, yielded: false };
}

/**
 * Called with an awaited (or yielded) value just before the function
 * suspends: puts back the span that was active when it resumed.
 */
function suspend<T>(frame: Frame | undefined, value?: T): T {
  if (frame !== undefined && frame.running) {
    frame.running = false;
    frame.shim.swap(frame.prev);
  }
  return value as T;
}

/**
 * {@link suspend} at a `yield` (or `yield*`) of an async generator, which
 * resumes in the context of whoever calls `next()`, `return()` or
 * `throw()` (as with AsyncLocalStorage), and keeps it across its later
 * awaits.
 */
function suspendYield<T>(frame: Frame | undefined, value?: T): T {
  if (frame !== undefined && frame.running) {
    suspend(frame);
    frame.yielded = true;
  }
  return value as T;
}

/**
 * Called with the result of an `await` or `yield` (and at the top of
 * `catch` and `finally` blocks, where a rejected `await` continues): makes
 * the function's own span active again. A no-op when it is already.
 */
function resume<T>(frame: Frame | undefined, value?: T): T {
  if (frame !== undefined && !frame.running) {
    frame.running = true;
    if (frame.yielded) {
      frame.yielded = false;
      frame.ctx = frame.prev = frame.shim.active();
    } else {
      frame.prev = frame.shim.swap(frame.ctx);
    }
  }
  return value as T;
}

/** Called in the `finally` that wraps a rewritten body. */
function exit(frame: Frame | undefined): void {
  suspend(frame);
}

/**
 * The iterable of a `for await` loop, wrapped so that the function
 * suspends (see {@link suspend}) each time the loop awaits `next()` or
 * `return()`. Returned unchanged without a frame.
 */
function iterate<T>(frame: Frame | undefined, iterable: T): T {
  if (frame === undefined) return iterable;
  return {
    [Symbol.asyncIterator]() {
      const source = iterable as any;
      const iterator =
        source[Symbol.asyncIterator] != null
          ? source[Symbol.asyncIterator]()
          : fromSync(source[Symbol.iterator]());
      const next = iterator.next;
      const wrapper: any = {
        next(value?: unknown) {
          const result = next.call(iterator, value);
          suspend(frame);
          return result;
        },
      };
      // the loop awaits `return()` only when the iterator has one
      if (iterator.return != null) {
        wrapper.return = (value?: unknown) => {
          const result = iterator.return(value);
          suspend(frame);
          return result;
        };
      }
      return wrapper;
    },
  } as T;
}

/** A sync iterator read as `for await` reads it: each value awaited. */
function fromSync(iterator: any) {
  const wrap = (result: IteratorResult<unknown>) =>
    Promise.resolve(result.value).then((value) => ({
      value,
      done: result.done,
    }));
  const async: any = {
    next: (value?: unknown) => wrap(iterator.next(value)),
  };
  // always there, as in %AsyncFromSyncIteratorPrototype%
  async.return = (value?: unknown) =>
    iterator.return != null
      ? wrap(iterator.return(value))
      : Promise.resolve({ value, done: true });
  return async;
}

export type { Frame };
export { enter, suspend, suspendYield, resume, exit, iterate };
