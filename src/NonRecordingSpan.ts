import type Tracer from './Tracer.js';
import type { SpanContext, SpanStatus } from './types.js';
import Span from './Span.js';
import { SpanKind } from './constants.js';

/**
 * A span that records nothing: unsampled spans, and every span of the
 * no-op tracer. It carries a span context so that its children follow its
 * sampling decision and propagation still works.
 */
class NonRecordingSpan extends Span {
  public constructor(tracer: Tracer, context: SpanContext, name = '') {
    super(
      tracer,
      name,
      context.traceId,
      context.spanId,
      undefined,
      SpanKind.INTERNAL,
      0,
      context.traceFlags ?? 0,
      context.traceState,
    );
    this.ended = true;
  }

  public override isRecording(): boolean {
    return false;
  }

  public override setAttribute(): this {
    return this;
  }

  public override setAttributes(): this {
    return this;
  }

  public override addEvent(): this {
    return this;
  }

  public override addLink(): this {
    return this;
  }

  public override setStatus(_status: SpanStatus): this {
    return this;
  }

  public override recordException(): this {
    return this;
  }

  public override updateName(): this {
    return this;
  }

  public override end(): void {}
}

/** Marks non-recording spans, on their prototype (so subclasses too). */
const nonRecording = Symbol('spantrail.nonRecording');
Object.defineProperty(NonRecordingSpan.prototype, nonRecording, {
  value: true,
});

/**
 * Whether `span` is a {@link NonRecordingSpan}. Every span's start asks
 * this of its parent, and V8 runs `instanceof` of a subclass through a
 * generic lookup (about 300 instructions); a property kept on the
 * prototype is an inline-cached load.
 */
function isNonRecordingSpan(span: Span): span is NonRecordingSpan {
  return (span as any)[nonRecording] === true;
}

export default NonRecordingSpan;
export { isNonRecordingSpan };
