/**
 * spantrail: a decorator-based, in-process tracer. The names below are the
 * public API of the root entry, and docs/api.md lists each of them; anything
 * else in the package is internal and may move. They come straight from
 * their modules, not through the folders' index files: every module loaded
 * adds to the package's import time.
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
export { default as AlwaysOnSampler } from './sampling/AlwaysOnSampler.js';
export { default as AlwaysOffSampler } from './sampling/AlwaysOffSampler.js';
export { default as TraceIdRatioSampler } from './sampling/TraceIdRatioSampler.js';
export { default as ParentBasedSampler } from './sampling/ParentBasedSampler.js';
export { default as AlsContextManager } from './context/AlsContextManager.js';
export { default as ShimContextManager } from './context/ShimContextManager.js';
export { contextLostAttribute } from './context/createContextManager.js';
export {
  contextSpanKey,
  registerContexts,
  contextsReady,
  spanFromContextObject,
  withContextSpan,
} from './context/explicitContext.js';
export { setObjectSpan, getObjectSpan } from './context/objectContext.js';
export {
  traceparentHeader,
  tracestateHeader,
  parseTraceParent,
  formatTraceParent,
  isValidTraceState,
  injectTraceContext,
  extractTraceContext,
} from './propagation/traceContext.js';
export { default as TracedGenerator } from './results/TracedGenerator.js';
export { default as TracedAsyncGenerator } from './results/TracedAsyncGenerator.js';
// outputs and exporters
export { default as JsonlOutput } from './output/JsonlOutput.js';
export { default as FdSink } from './output/FdSink.js';
export { default as StreamSink } from './output/StreamSink.js';
export { default as WebStreamSink } from './output/WebStreamSink.js';
export { default as FunctionSink } from './output/FunctionSink.js';
export { default as OtlpHttpExporter } from './otlp/OtlpHttpExporter.js';
export { ErrorOtlpExport } from './otlp/errors.js';
export { ErrorOutput } from './output/errors.js';
// integrations
export { default as traced } from './decorators/traced.js';
export { default as Traceable } from './decorators/Traceable.js';
export { isTraced, unwrapTraced } from './methods/markers.js';
export { default as instrumentAsyncInit } from './asyncInit/instrumentAsyncInit.js';
export { default as traceClass } from './instrument/traceClass.js';
export { default as traceObject } from './instrument/traceObject.js';
export { tracerFromProcess, traceOutputFromArgs } from './fromProcess.js';
export { instrument, parseInstrumentations } from './instrument/index.js';
export { instrumentHttp, instrumentFetch } from './http/index.js';
export {
  traceFields,
  pinoTraceMixin,
  traceLogFormatter,
} from './logs/index.js';
export {
  withoutInstrumentation,
  isInstrumentationSuppressed,
} from './utils/suppress.js';
export type * from './types.js';
export type { Carrier } from './propagation/traceContext.js';
export type * from './methods/types.js';
export type {
  InstrumentAsyncInitOptions,
  Instrumentation,
} from './asyncInit/instrumentAsyncInit.js';
export type {
  OtlpEncoding,
  OtlpCompression,
  OtlpHttpExporterOptions,
} from './otlp/types.js';
export type {
  InstrumentOptions,
  InstrumentationName,
} from './instrument/index.js';
export type {
  HttpInstrumentationOptions,
  InstrumentHttpOptions,
  HttpInstrumentation,
} from './http/index.js';
export type { TraceFields, LogRecordLike } from './logs/index.js';
export type { FromProcessOptions } from './fromProcess.js';
