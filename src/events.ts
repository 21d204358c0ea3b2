import type Span from './Span.js';
import { toText } from './utils/attributes.js';

/** Dispatched by a tracer as `spanstart` and `spanend`. */
class SpanEvent extends Event {
  public readonly span: Span;

  public constructor(type: 'spanstart' | 'spanend', span: Span) {
    // Event makes any type text: one that cannot be is no event of ours
    super(toText(type));
    this.span = span;
  }
}

/** Dispatched by a tracer as `error` when an output fails and stops. */
class TracerErrorEvent extends Event {
  public readonly error: unknown;

  public constructor(error: unknown) {
    super('error');
    this.error = error;
  }
}

export { SpanEvent, TracerErrorEvent };
