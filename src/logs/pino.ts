import type Tracer from '../Tracer.js';
import { traceFields } from './traceFields.js';

/**
 * A `mixin` for pino: every record logged while a span is active carries
 * its `traceId` and `spanId`.
 *
 * ```ts
 * const log = pino({ mixin: pinoTraceMixin() });
 * ```
 */
function pinoTraceMixin(tracer?: Tracer): () => Record<string, string> {
  return () => traceFields(tracer) ?? {};
}

export { pinoTraceMixin };
