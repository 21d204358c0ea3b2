export { default as OtlpHttpExporter } from './OtlpHttpExporter.js';
export { default as ProtobufWriter } from './ProtobufWriter.js';
export { ErrorOtlpExport } from './errors.js';
export { encodeTracesData } from './protobuf.js';
export { spanToOtlp, spanToOtlpInput, batchToTracesData } from './mapping.js';
export { isOtlpTarget, urlFromTarget, urlFromEnv } from './env.js';
export type * from './types.js';
export type { OtlpExportSpan } from './protobuf.js';
