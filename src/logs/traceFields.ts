import type Tracer from '../Tracer.js';
import { getTracer } from '../global.js';

/** The ids a log record carries to be found from its span and back. */
type TraceFields = {
  /** The trace id, as in the trace file (32 hex digits). */
  traceId: string;
  /**
   * The active span's id as in the trace file (spantrail's 32 hex digits;
   * its low 16 are the W3C/OTLP span id), or the remote parent's 16.
   */
  spanId: string;
};

/**
 * The `traceId` and `spanId` of the span active now (in `tracer`, default
 * the global one), or undefined when none is: what a log record written
 * here should carry. Never throws.
 */
function traceFields(tracer?: Tracer): TraceFields | undefined {
  try {
    const t = tracer ?? getTracer();
    if (!t.enabled) return undefined;
    const active = t.context.active();
    if (active == null) return undefined;
    const { traceId, spanId } = active as { traceId: unknown; spanId: unknown };
    if (typeof traceId !== 'string' || typeof spanId !== 'string') {
      return undefined;
    }
    return { traceId, spanId };
  } catch {
    return undefined;
  }
}

export { traceFields };
export type { TraceFields };
