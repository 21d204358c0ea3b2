/**
 * The realm's own `Promise`, as an async function returns it, whatever
 * `globalThis.Promise` is set to later (a promise library installed as the
 * global must not make every async method's promise look foreign).
 */
const NativePromise = Object.getPrototypeOf((async () => {})())
  .constructor as PromiseConstructor;

/**
 * Whether `value` is a promise of the realm's own `Promise`, not a subclass
 * or another realm's. `instanceof` and `constructor` are read inline where
 * `Object.getPrototypeOf` of a promise calls into the runtime. May throw
 * for a hostile object (a throwing `constructor` getter).
 */
function isNativePromise(value: any): value is Promise<unknown> {
  return value instanceof NativePromise && value.constructor === NativePromise;
}

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
  let native = false;
  try {
    native = isNativePromise(t);
  } catch {
    // a hostile object: observed as a thenable below
  }
  if (native) {
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

export { watchThenable, isNativePromise };
