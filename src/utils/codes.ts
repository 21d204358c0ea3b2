import type { SpanKindValue, SpanStatusCodeValue } from '../types.js';
import { SpanKind, SpanStatusCode } from '../constants.js';

/** A `SpanKind`, or INTERNAL for anything else (plain-JS callers). */
function kindOf(kind: unknown): SpanKindValue {
  return typeof kind === 'number' &&
    Number.isInteger(kind) &&
    kind >= SpanKind.INTERNAL &&
    kind <= SpanKind.CONSUMER
    ? (kind as SpanKindValue)
    : SpanKind.INTERNAL;
}

/** A `SpanStatusCode`, or UNSET for anything else. */
function statusCodeOf(code: unknown): SpanStatusCodeValue {
  return code === SpanStatusCode.OK || code === SpanStatusCode.ERROR
    ? code
    : SpanStatusCode.UNSET;
}

export { kindOf, statusCodeOf };
