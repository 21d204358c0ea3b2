import type { AttributeValue, SpanAttributes } from '../types.js';

function truncate(value: string, limit: number): string {
  return value.length > limit ? value.slice(0, limit) : value;
}

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
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) return toAttributeArray(value, lengthLimit);
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toJSON();
      }
      return safeJson(value, lengthLimit);
    }
    default:
      // undefined, symbol, function
      return undefined;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Arrays must be homogeneous primitives; anything else is stored as JSON.
 */
function toAttributeArray(
  value: Array<unknown>,
  lengthLimit: number,
): AttributeValue | undefined {
  let type: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const t = typeof value[i];
    if (
      (t !== 'string' && t !== 'number' && t !== 'boolean') ||
      (type !== undefined && t !== type) ||
      (t === 'number' && !Number.isFinite(value[i] as number))
    ) {
      return safeJson(value, lengthLimit);
    }
    type = t;
  }
  if (type === 'string') {
    return (value as Array<string>).map((v) => truncate(v, lengthLimit));
  }
  return value.slice() as AttributeValue;
}

/** JSON of `value` cut to `lengthLimit`, or undefined when it has none or
 * cannot be made (circular, a throwing `toJSON`). Never throws. */
function safeJson(value: unknown, lengthLimit: number): string | undefined {
  try {
    const json = JSON.stringify(value, jsonReplacer);
    return json === undefined ? undefined : truncate(json, lengthLimit);
  } catch {
    return undefined;
  }
}

/**
 * Copies user attributes into `target` under the limits; returns how many
 * were dropped (over the count limit or not representable).
 */
function mergeAttributes(
  target: SpanAttributes,
  count: number,
  attributes: Record<string, unknown>,
  countLimit: number,
  lengthLimit: number,
): { count: number; dropped: number } {
  let dropped = 0;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const r = setAttributeOn(
      target,
      count,
      key,
      attributes[key],
      countLimit,
      lengthLimit,
    );
    if (r < 0) dropped++;
    else count += r;
  }
  return { count, dropped };
}

/**
 * Sets one attribute. Returns 1 when a key was added, 0 when one was
 * replaced or the value was unset, -1 when it was dropped.
 */
function setAttributeOn(
  target: SpanAttributes,
  count: number,
  key: unknown,
  value: unknown,
  countLimit: number,
  lengthLimit: number,
): number {
  const k = typeof key === 'string' ? key : String(key);
  if (k === '' || value === undefined || value === null) return 0;
  const v = toAttributeValue(value, lengthLimit);
  if (v === undefined) return -1;
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
  return exists ? 0 : 1;
}

/** Returns the attributes of `attributes` that fit, and how many did not. */
function sanitizeAttributes(
  attributes: Record<string, unknown> | undefined,
  countLimit: number,
  lengthLimit: number,
): { attributes: SpanAttributes | undefined; dropped: number } {
  if (attributes == null) return { attributes: undefined, dropped: 0 };
  const target: SpanAttributes = {};
  const r = mergeAttributes(target, 0, attributes, countLimit, lengthLimit);
  return { attributes: r.count > 0 ? target : undefined, dropped: r.dropped };
}

export {
  truncate,
  safeJson,
  toAttributeValue,
  mergeAttributes,
  setAttributeOn,
  sanitizeAttributes,
};
