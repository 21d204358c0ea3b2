import { toText } from '../utils/attributes.js';

/**
 * A reader's options, read once into a plain object: a `TypeError` when
 * they cannot be read, or when one of `callbacks` is given and is not a
 * function.
 */
function readOptions<T extends object>(
  owner: string,
  options: T | undefined,
  callbacks: ReadonlyArray<keyof T & string>,
): T {
  let copy: T;
  try {
    copy = { ...options } as T;
  } catch {
    throw new TypeError(`${owner}: options cannot be read`);
  }
  for (const name of callbacks) {
    const value: unknown = copy[name];
    if (value != null && typeof value !== 'function') {
      throw new TypeError(
        `${owner}: ${name} must be a function, got ${toText(value)}`,
      );
    }
  }
  return copy;
}

export { readOptions };
