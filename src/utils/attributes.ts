import type { AttributeValue, SpanAttributes } from '../types.js';

function truncate(value: string, limit: number): string {
  return value.length > limit ? value.slice(0, limit) : value;
}

/**
 * What a value that cannot be read becomes (a throwing getter, `toString`
 * or `toJSON`, a revoked Proxy): the value is counted as dropped.
 */
const unreadable = '[unreadable]';

/** `String(value)`, or the placeholder when that throws. Never throws. */
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return unreadable;
  }
}

/**
 * Whether `value[name]` is a function; false when reading it throws (a
 * Proxy, a getter). Never throws.
 */
function hasMethod(value: unknown, name: string): boolean {
  if (value == null) return false;
  try {
    return typeof (value as Record<string, unknown>)[name] === 'function';
  } catch {
    return false;
  }
}

/** `setAttributeOn` flag: the value could not be read; counts as dropped. */
const valueUnreadable = 4;
/** `setAttributeOn` flag: the key was cut at the length limit. */
const keyCut = 8;

/**
 * Converts any value into an attribute value, or `undefined` when it cannot
 * be represented and must be dropped. Never throws.
 */
function toAttributeValue(
  value: unknown,
  lengthLimit: number,
): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return truncate(value, lengthLimit);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return truncate(value.toString(), lengthLimit);
    case 'object':
      if (value === null) return undefined;
      // Proxies, getters and toJSON run user code: whatever throws becomes
      // the placeholder (try/catch costs nothing when nothing throws)
      try {
        return objectValue(value, lengthLimit);
      } catch {
        return unreadable;
      }
    default:
      // undefined, symbol, function
      return undefined;
  }
}

function objectValue(
  value: object,
  lengthLimit: number,
): AttributeValue | undefined {
  if (Array.isArray(value)) return toAttributeArray(value, lengthLimit);
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isNaN(t) ? 'Invalid Date' : new Date(t).toJSON();
  }
  return json(value, lengthLimit);
}

function json(value: unknown, lengthLimit: number): string | undefined {
  const text = JSON.stringify(value, jsonReplacer);
  return text === undefined ? undefined : truncate(text, lengthLimit);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Arrays must be homogeneous primitives; anything else is stored as JSON.
 * Like a JSON value, an array is bounded by the length limit: elements are
 * kept while their text adds up to at most `lengthLimit` characters, and a
 * string that crosses the limit is cut there.
 */
function toAttributeArray(
  value: Array<unknown>,
  lengthLimit: number,
): AttributeValue | undefined {
  let type: string | undefined;
  let kept = 0;
  let room = lengthLimit;
  let last: string | undefined;
  for (; kept < value.length; kept++) {
    const v = value[kept];
    const t = typeof v;
    if (
      (t !== 'string' && t !== 'number' && t !== 'boolean') ||
      (type !== undefined && t !== type) ||
      (t === 'number' && !Number.isFinite(v as number))
    ) {
      return json(value, lengthLimit);
    }
    type = t;
    const size = t === 'string' ? (v as string).length : String(v).length;
    if (size > room) {
      if (t === 'string' && room > 0) last = (v as string).slice(0, room);
      break;
    }
    room -= size;
  }
  // a plain copy: `map` and `slice` would call a subclass's constructor
  const copy: Array<unknown> = new Array(last === undefined ? kept : kept + 1);
  for (let i = 0; i < kept; i++) copy[i] = value[i];
  if (last !== undefined) copy[kept] = last;
  return copy as AttributeValue;
}

/** JSON of `value` cut to `lengthLimit`, or undefined when it has none or
 * cannot be made (circular, a throwing `toJSON`). Never throws. */
function safeJson(value: unknown, lengthLimit: number): string | undefined {
  try {
    return json(value, lengthLimit);
  } catch {
    return undefined;
  }
}

/**
 * Copies user attributes into `target` under the limits; returns how many
 * were dropped (over the count limit, not representable or unreadable) and
 * how many keys were cut at the length limit. Never throws: a value whose
 * getter throws becomes the placeholder, and an object that cannot be
 * enumerated (a revoked Proxy) counts as one dropped attribute.
 */
function mergeAttributes(
  target: SpanAttributes,
  count: number,
  attributes: Record<string, unknown>,
  countLimit: number,
  lengthLimit: number,
): { count: number; dropped: number; truncated: number } {
  let dropped = 0;
  let truncated = 0;
  try {
    for (const key in attributes) {
      if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
      let value: unknown;
      try {
        value = attributes[key];
      } catch {
        value = unreadableValue;
      }
      const r = setAttributeOn(
        target,
        count,
        key,
        value,
        countLimit,
        lengthLimit,
      );
      if (r < 0) {
        dropped++;
      } else {
        count += r & 1;
        if (r > 1) {
          if ((r & valueUnreadable) !== 0) dropped++;
          if ((r & keyCut) !== 0) truncated++;
        }
      }
    }
  } catch {
    dropped++;
  }
  return { count, dropped, truncated };
}

/** Stands for a value whose getter threw. */
const unreadableValue: object = Object.freeze({});

/**
 * Sets one attribute. Returns -1 when it was dropped, else 1 when a key was
 * added and 0 when one was replaced or the value was unset, plus
 * `valueUnreadable` when the value became the placeholder and `keyCut`
 * when the key was cut at the length limit. Never throws.
 */
function setAttributeOn(
  target: SpanAttributes,
  count: number,
  key: unknown,
  value: unknown,
  countLimit: number,
  lengthLimit: number,
): number {
  let k = typeof key === 'string' ? key : toText(key);
  if (k === '' || value === undefined || value === null) return 0;
  let flags = 0;
  if (k.length > lengthLimit) {
    k = k.slice(0, lengthLimit);
    flags = keyCut;
  }
  let v: AttributeValue | undefined;
  if (value === unreadableValue) {
    v = unreadable;
  } else {
    v = toAttributeValue(value, lengthLimit);
    if (v === undefined) return -1;
  }
  if (v === unreadable && typeof value === 'object') flags |= valueUnreadable;
  const exists = Object.prototype.hasOwnProperty.call(target, k);
  if (!exists && count >= countLimit) return -1;
  if (k === '__proto__') {
    Object.defineProperty(target, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[k] = v;
  }
  return (exists ? 0 : 1) | flags;
}

/** Returns the attributes of `attributes` that fit, and how many did not. */
function sanitizeAttributes(
  attributes: Record<string, unknown> | undefined,
  countLimit: number,
  lengthLimit: number,
): {
  attributes: SpanAttributes | undefined;
  dropped: number;
  truncated: number;
} {
  if (attributes == null) {
    return { attributes: undefined, dropped: 0, truncated: 0 };
  }
  const target: SpanAttributes = {};
  const r = mergeAttributes(target, 0, attributes, countLimit, lengthLimit);
  return {
    attributes: r.count > 0 ? target : undefined,
    dropped: r.dropped,
    truncated: r.truncated,
  };
}

export {
  unreadable,
  valueUnreadable,
  keyCut,
  toText,
  hasMethod,
  truncate,
  safeJson,
  toAttributeValue,
  mergeAttributes,
  setAttributeOn,
  sanitizeAttributes,
};
