export {
  startLinePrefix,
  startLine,
  spanLine,
  metaLine,
  droppedLine,
} from './writer.js';
export { parseLine, parseValue, copyAttributes, isUint } from './parse.js';
export { decodeLegacyId } from './legacy.js';
export {
  toOtlpTracesData,
  toOtlpSpan,
  toOtlpResource,
  toOtlpAttributes,
  otlpSpanId,
} from './otlp.js';
export type * from './types.js';
export type { ParseResult, ParseOptions } from './parse.js';
