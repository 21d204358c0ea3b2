import type { InstrumentHttpOptions } from './types.js';

const flags = ['recordQuery', 'propagate', 'client', 'server'] as const;
const lists = ['requestHeaders', 'responseHeaders'] as const;

/**
 * A plain copy of the options of `instrumentHttp` / `instrumentFetch`, read
 * once: anything that is not what {@link InstrumentHttpOptions} says (a
 * flag that is not a boolean, a header list that is not an array of
 * strings, options whose properties throw) is a `TypeError` naming it.
 */
function readOptions(
  caller: string,
  options: unknown,
): Readonly<InstrumentHttpOptions> {
  if (options == null) return {};
  if (typeof options !== 'object') {
    throw new TypeError(`${caller}: options must be an object`);
  }
  const out: InstrumentHttpOptions = {};
  let current = '';
  try {
    for (const key of flags) {
      current = key;
      const v = (options as any)[key];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') {
        throw new TypeError(`${caller}: ${key} must be a boolean`);
      }
      out[key] = v;
    }
    for (const key of lists) {
      current = key;
      const v = (options as any)[key];
      if (v === undefined) continue;
      if (!Array.isArray(v)) {
        throw new TypeError(`${caller}: ${key} must be an array of strings`);
      }
      const names: Array<string> = [];
      for (let i = 0; i < v.length; i++) {
        const name = v[i];
        if (typeof name !== 'string') {
          throw new TypeError(`${caller}: ${key} must be an array of strings`);
        }
        names.push(name.toLowerCase());
      }
      out[key] = names;
    }
  } catch (e) {
    if (e instanceof TypeError) throw e;
    throw new TypeError(`${caller}: cannot read option ${current}`, {
      cause: e,
    });
  }
  return Object.freeze(out);
}

export { readOptions };
