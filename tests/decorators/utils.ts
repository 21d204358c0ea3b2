import type { Span } from '../../src/index.js';
import { Tracer } from '../../src/index.js';
import type { SpanEvent } from '../../src/events.js';

/** A tracer with no output that keeps every ended span, in end order. */
function collectingTracer(options: { context?: 'als' | 'shim' } = {}) {
  const tracer = new Tracer({ context: options.context ?? 'als' });
  const spans: Array<Span> = [];
  tracer.addEventListener('spanend', (e) => {
    spans.push((e as SpanEvent).span);
  });
  const byName = (name: string): Span => {
    const found = spans.filter((s) => s.name === name);
    if (found.length !== 1) {
      throw new Error(
        `expected one span ${name}, got ${found.length}: ${spans.map((s) => s.name).join(', ')}`,
      );
    }
    return found[0];
  };
  return { tracer, spans, byName };
}

export { collectingTracer };
