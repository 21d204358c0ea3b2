export { default as Tracer } from './Tracer.js';
export { default as Span } from './Span.js';
export { default as NonRecordingSpan } from './NonRecordingSpan.js';
export { default as NoopTracer } from './NoopTracer.js';
export { default as IdGenerator } from './IdGenerator.js';
export { default as version } from './version.js';
export {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  formatVersion,
} from './constants.js';
export { SpanEvent, TracerErrorEvent } from './events.js';
export { setTracer, getTracer, noopTracer } from './global.js';
export { tracerFromProcess, traceOutputFromArgs } from './fromProcess.js';
export * from './sampling/index.js';
export * from './output/index.js';
export * from './otlp/index.js';
export * from './context/index.js';
export * from './decorators/index.js';
export * from './instrument/index.js';
export * from './http/index.js';
export * from './logs/index.js';
export {
  withoutInstrumentation,
  isInstrumentationSuppressed,
} from './suppress.js';
export * from './propagation/index.js';
export * from './errors.js';
export type * from './types.js';
export type { FromProcessOptions } from './fromProcess.js';
