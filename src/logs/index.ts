export { traceFields } from './traceFields.js';
export type { TraceFields } from './traceFields.js';
export { pinoTraceMixin } from './pino.js';
export { traceLogFormatter } from './matrixaiLogger.js';
export type { LogRecordLike } from './matrixaiLogger.js';
