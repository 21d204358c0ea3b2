/**
 * A function that hands `fn`, its `this` and its arguments to `call`: what
 * every context manager's `bind` returns, each with its own way of running
 * `fn` in the bound context.
 */
function boundCall<F extends (...args: Array<any>) => any>(
  fn: F,
  call: (fn: F, thisArg: unknown, args: ArrayLike<unknown>) => ReturnType<F>,
): F {
  return function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params
    return call(fn, this, arguments);
  } as unknown as F;
}

export { boundCall };
