// opening outputs from targets is wired here, as in the root entry
import '../output/createProcessor.js';

export { default as SpantrailTracerProvider } from './SpantrailTracerProvider.js';
export { default as OtelTracer } from './OtelTracer.js';
export { default as OtelSpan } from './OtelSpan.js';
export { default as BridgeContextManager } from './BridgeContextManager.js';
export { default as OtelContextManager } from './OtelContextManager.js';
export { default as TraceContextPropagator } from './TraceContextPropagator.js';
export { default as JsonlSpanExporter } from './JsonlSpanExporter.js';
export { otelSpanFor } from './OtelSpan.js';
export type { RegisterOptions } from './SpantrailTracerProvider.js';
export type {
  ReadableSpanLike,
  ExportResultLike,
  JsonlSpanExporterOptions,
} from './JsonlSpanExporter.js';
