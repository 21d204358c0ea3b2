/**
 * spantrail: a decorator-based, in-process tracer. The names below are the
 * public API of the root entry, and docs/api.md lists each of them; anything
 * else in the package is internal and may move.
 *
 * @packageDocumentation
 */
// opening outputs from targets ('stdout', a path, an OTLP URL) is wired here
import './output/createProcessor.js';

// core
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
export { ErrorSpantrail } from './errors.js';
export {
  AlwaysOnSampler,
  AlwaysOffSampler,
  TraceIdRatioSampler,
  ParentBasedSampler,
} from './sampling/index.js';
export {
  AlsContextManager,
  ShimContextManager,
  contextLostAttribute,
  contextSpanKey,
  registerContexts,
  contextsReady,
  spanFromContextObject,
  withContextSpan,
  setObjectSpan,
  getObjectSpan,
} from './context/index.js';
export {
  traceparentHeader,
  tracestateHeader,
  parseTraceParent,
  formatTraceParent,
  isValidTraceState,
  injectTraceContext,
  extractTraceContext,
} from './propagation/index.js';
export { TracedGenerator, TracedAsyncGenerator } from './results/index.js';
// outputs and exporters
export {
  JsonlOutput,
  FdSink,
  StreamSink,
  WebStreamSink,
  FunctionSink,
  ErrorOutput,
} from './output/index.js';
export { OtlpHttpExporter, ErrorOtlpExport } from './otlp/index.js';
// integrations
export {
  traced,
  Traceable,
  isTraced,
  unwrapTraced,
} from './decorators/index.js';
export { instrumentAsyncInit } from './asyncInit/index.js';
export { traceClass, traceObject } from './instrument/index.js';
export { tracerFromProcess, traceOutputFromArgs } from './fromProcess.js';

export type * from './types.js';
export type { Carrier } from './propagation/index.js';
export type * from './methods/types.js';
export type {
  InstrumentAsyncInitOptions,
  Instrumentation,
} from './asyncInit/index.js';
export type {
  OtlpEncoding,
  OtlpCompression,
  OtlpHttpExporterOptions,
} from './otlp/index.js';
export type { FromProcessOptions } from './fromProcess.js';
