// `@matrixai/id` is CommonJS: named ESM imports of it throw in plain Node, so
// take members off the default (module.exports) object. `extractTs` is not
// re-exported by its index, hence the deep import of `dist/IdSortable.js`.
import idMod from '@matrixai/id';
import idSortableMod from '@matrixai/id/dist/IdSortable.js';

/** A decoded legacy id: its 32-hex form and the time it carries. */
type DecodedLegacyId = {
  hex: string;
  /** Epoch microseconds (ids carry millisecond resolution). */
  time: number;
};

const cache = new Map<string, DecodedLegacyId | null>();

/**
 * Decodes a js-logger id: an `@matrixai/id` IdSortable in multibase (a `v`
 * prefix for base32hex; other multibase prefixes are accepted too).
 * Returns `undefined` when the string is not a 16-byte multibase id.
 */
function decodeLegacyId(id: string): DecodedLegacyId | undefined {
  if (typeof id !== 'string') return undefined;
  // Ids are referenced twice (start and stop): a small cache halves decoding.
  const hit = cache.get(id);
  if (hit !== undefined) return hit ?? undefined;
  let result: DecodedLegacyId | null = null;
  if (id.length >= 2 && id.length <= 64) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = idMod.utils.fromMultibase(id);
    } catch {
      bytes = undefined;
    }
    if (bytes != null && bytes.length === 16) {
      const seconds = idSortableMod.extractTs(bytes);
      result = {
        hex: Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex'),
        time: Math.round(seconds * 1e6),
      };
    }
  }
  if (cache.size > 10000) cache.clear();
  cache.set(id, result);
  return result ?? undefined;
}

export { decodeLegacyId };
export type { DecodedLegacyId };
