/**
 * Calls `onSettled` once `thenable` settles: `(false, value)` when it
 * fulfils, `(true, reason)` when it rejects or its `then` throws. Returns
 * what the caller hands on: a native promise chained (settling as the
 * original does, so a rejection nobody handles still surfaces), any other
 * thenable as it is, only observed (a `PromiseCancellable`'s chained copy
 * would not cancel the original).
 */
function watchThenable<T>(
  thenable: T,
  onSettled: (failed: boolean, valueOrReason: unknown) => void,
): T {
  const t = thenable as any;
  if (Object.getPrototypeOf(t) === Promise.prototype) {
    return t.then(
      (value: unknown) => {
        onSettled(false, value);
        return value;
      },
      (e: unknown) => {
        onSettled(true, e);
        throw e;
      },
    );
  }
  try {
    t.then(
      (value: unknown) => onSettled(false, value),
      (e: unknown) => onSettled(true, e),
    );
  } catch (e) {
    // a thenable whose then() throws: nothing will settle it
    onSettled(true, e);
  }
  return thenable;
}

export { watchThenable };
