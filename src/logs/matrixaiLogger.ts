import type Tracer from '../Tracer.js';
import { traceFields } from './traceFields.js';

/** The part of `@matrixai/logger`'s `LogRecord` this needs. */
type LogRecordLike = { data?: Record<string | number, unknown> };

/**
 * Wraps a `@matrixai/logger` formatter so that records logged while a span
 * is active carry its `traceId` and `spanId` in their data: with
 * `formatting.jsonFormatter` they become fields of the JSON line, with a
 * `formatting.format` template they show where `formatting.data` is.
 * Records outside any span are formatted unchanged.
 *
 * ```ts
 * const handler = new StreamHandler(traceLogFormatter(formatting.jsonFormatter));
 * const logger = new Logger('app', LogLevel.INFO, [handler]);
 * ```
 */
function traceLogFormatter<R extends LogRecordLike>(
  formatter: (record: R) => string,
  tracer?: Tracer,
): (record: R) => string {
  if (typeof formatter !== 'function') {
    throw new TypeError('traceLogFormatter: expected a formatter function');
  }
  return (record: R): string => {
    const fields = traceFields(tracer);
    if (fields === undefined || record == null || typeof record !== 'object') {
      return formatter(record);
    }
    let withIds: R;
    try {
      withIds = { ...record, data: { ...record.data, ...fields } };
    } catch {
      // a record we cannot copy is logged as it is
      return formatter(record);
    }
    return formatter(withIds);
  };
}

export { traceLogFormatter };
export type { LogRecordLike };
