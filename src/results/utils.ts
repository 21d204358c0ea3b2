import type Span from '../Span.js';

/**
 * Hands the result to `onResult`; a user callback must never break the
 * traced call, so what it throws is recorded on the span instead.
 */
function reportResult(
  span: Span,
  onResult: ((span: Span, result: unknown) => void) | undefined,
  result: unknown,
): void {
  if (onResult === undefined) return;
  try {
    onResult(span, result);
  } catch (e) {
    span.addEvent('spantrail.onResult.error', {
      'exception.message': e instanceof Error ? e.message : String(e),
    });
  }
}

/** Whether `value` has a generator's three methods. */
function isGeneratorLike(value: any): boolean {
  return (
    typeof value.next === 'function' &&
    typeof value.throw === 'function' &&
    typeof value.return === 'function'
  );
}

export { reportResult, isGeneratorLike };
