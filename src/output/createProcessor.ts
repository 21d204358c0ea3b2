import type { OutputOptions, OutputTarget, SpanProcessor } from '../types.js';
import JsonlOutput from './JsonlOutput.js';
import OtlpHttpExporter from '../otlp/OtlpHttpExporter.js';
import { isOtlpTarget } from '../otlp/env.js';
import { setProcessorFactory } from '../processorFactory.js';

/**
 * Opens a target as a span processor: an OTLP URL (`otlp`, `http://…`,
 * `https://…`) as an {@link OtlpHttpExporter}, anything else as a
 * {@link JsonlOutput}. What `new Tracer({ output })` and `tracerFromProcess`
 * open targets with.
 */
function createProcessor(
  target: OutputTarget,
  options: OutputOptions,
): SpanProcessor {
  return isOtlpTarget(target)
    ? OtlpHttpExporter.fromTarget(target, { onError: options.onError })
    : new JsonlOutput(target, options);
}

setProcessorFactory(createProcessor);

export default createProcessor;
