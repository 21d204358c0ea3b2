import type {
  OutputOptions,
  OutputTarget,
  ProcessorFactory,
  SpanProcessor,
} from './types.js';

// The one place the core meets the outputs: the outputs layer registers how
// a target ('stdout', a path, a stream, an OTLP URL) becomes a processor, so
// that the core never imports the outputs and the exporters.
let factory: ProcessorFactory | undefined;

/** Whether `value` is a span processor rather than a target to open. */
function isSpanProcessor(value: unknown): value is SpanProcessor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as any).onStart === 'function' &&
    typeof (value as any).onEnd === 'function' &&
    typeof (value as any).flushSync === 'function'
  );
}

/** Sets how targets that are not processors are opened. */
function setProcessorFactory(create: ProcessorFactory): void {
  factory = create;
}

/**
 * The processors of the `output` option: processors as they are, other
 * targets opened by the registered factory. On failure, closes what it
 * opened (the caller's processors are theirs) and rethrows.
 */
function processorsOf(
  output: OutputTarget | SpanProcessor | Array<OutputTarget | SpanProcessor>,
  options: OutputOptions,
): Array<SpanProcessor> {
  const targets = Array.isArray(output) ? output : [output];
  const processors: Array<SpanProcessor> = [];
  try {
    for (const target of targets) {
      if (isSpanProcessor(target)) {
        processors.push(target);
      } else if (factory == null) {
        throw new TypeError(
          'output: only span processors can be given until an output factory is registered (import spantrail, not its Tracer module)',
        );
      } else {
        processors.push(factory(target, options));
      }
    }
  } catch (e) {
    for (const p of processors) {
      if (!targets.includes(p as any)) void p.close();
    }
    throw e;
  }
  return processors;
}

export { isSpanProcessor, setProcessorFactory, processorsOf };
