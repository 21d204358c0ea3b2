import type Span from './Span.js';
import type { SpanContext } from './types.js';
import Tracer from './Tracer.js';
import NonRecordingSpan from './NonRecordingSpan.js';
import ShimContextManager from './context/ShimContextManager.js';

const invalidContext: SpanContext = {
  traceId: '00000000000000000000000000000000',
  spanId: '00000000000000000000000000000000',
  traceFlags: 0,
};

/**
 * The tracer in use until {@link setTracer} is called: every span is one
 * shared non-recording span, so tracing costs a few nanoseconds per span.
 */
class NoopTracer extends Tracer {
  protected noopSpan: NonRecordingSpan;

  public constructor() {
    super({ context: new ShimContextManager(), service: 'noop' });
    this.noopSpan = new NonRecordingSpan(this, invalidContext);
  }

  public override readonly enabled: boolean = false;

  public override startSpan(): Span {
    return this.noopSpan;
  }
}

export default NoopTracer;
