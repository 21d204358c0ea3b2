/**
 * JSON text in pieces, so output of any size streams without one giant
 * string (V8 strings stop at about 512 MB).
 */

/** An array whose items are produced while it is written. */
class LazyArray {
  constructor(public readonly items: Iterable<unknown>) {}
}

/** Marks `items` to be serialised as a JSON array, item by item. */
function lazyArray(items: Iterable<unknown>): LazyArray {
  return new LazyArray(items);
}

/**
 * Yields text that concatenates to `JSON.stringify(value)` (for plain data:
 * no `toJSON`, no cycles). Containers down to `depth` levels are opened
 * piecewise; values below are stringified whole. {@link lazyArray} values
 * are written as arrays at any depth above 0, so `depth` must reach the
 * deepest of them. Iterative over items, so long arrays cost no stack.
 */
function* jsonChunks(value: unknown, depth: number = 4): Generator<string> {
  if (value instanceof LazyArray) {
    yield '[';
    let first = true;
    for (const item of value.items) {
      if (!first) yield ',';
      first = false;
      yield* item === undefined || typeof item === 'function'
        ? ['null']
        : jsonChunks(item, depth - 1);
    }
    yield ']';
    return;
  }
  if (depth <= 0 || typeof value !== 'object' || value === null) {
    yield JSON.stringify(value);
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const item = value[i];
      yield* item === undefined || typeof item === 'function'
        ? ['null']
        : jsonChunks(item, depth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      continue;
    }
    yield (first ? '' : ',') + JSON.stringify(key) + ':';
    first = false;
    yield* jsonChunks(v, depth - 1);
  }
  yield '}';
}

export { jsonChunks, lazyArray, LazyArray };
