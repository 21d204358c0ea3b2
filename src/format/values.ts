import type { AttributeValue } from './types.js';

// Checks of record values, apart from the parser: the OTLP mapping needs
// them without the parser's legacy-format decoding (and its dependencies).

/** Whether `v` is an attribute value of format v1. */
function isAttrValue(v: unknown): v is AttributeValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (!Array.isArray(v)) return false;
      if (v.length === 0) return true;
      const t = typeof v[0];
      if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
      for (const x of v) {
        if (typeof x !== t) return false;
        if (t === 'number' && !Number.isFinite(x)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

export { isAttrValue };
