/**
 * spantrail reader: streams trace files (format v1 and js-logger's legacy
 * format), builds the model the `spantrail` commands share, aggregates
 * statistics in bounded memory, and converts to OTLP/JSON, Chrome trace
 * events and speedscope.
 *
 * @packageDocumentation
 */
export { default as TraceReader, TraceReadError } from './TraceReader.js';
export { default as TraceDecoder, createIssues } from './TraceDecoder.js';
export { default as TraceByteDecoder } from './TraceByteDecoder.js';
export { default as TraceModel, byStart } from './TraceModel.js';
export { default as TraceFollower } from './TraceFollower.js';
export { default as StatsCollector } from './StatsCollector.js';
export { default as SpanIndex } from './SpanIndex.js';
export { default as LogHistogram } from './LogHistogram.js';
export { default as LegacyAssembler } from './LegacyAssembler.js';
export { parseLine, parseValue } from '../format/parse.js';
export { parseLineFast } from '../format/fastParse.js';
export { decodeLegacyId } from '../format/legacy.js';
export {
  toOtlpTracesData,
  toOtlpSpan,
  toOtlpResource,
  toOtlpAttributes,
  otlpSpanId,
} from '../format/otlp.js';
export {
  processGroups,
  modelToOtlp,
  modelToChrome,
  modelToSpeedscope,
  modelToOtlpChunks,
  modelToChromeChunks,
  modelToSpeedscopeChunks,
} from './convert.js';
export { assignLanes } from './lanes.js';
export { formatDuration, formatTime, shortId } from './format.js';
export type * from '../format/types.js';
export type * from './types.js';
export type { RecordSink } from './TraceDecoder.js';
export type {
  TraceInput,
  TraceReaderOptions,
  InputResult,
} from './TraceReader.js';
export type {
  TraceLookup,
  TraceModelOptions,
  TreeEntry,
} from './TraceModel.js';
export type {
  NameStats,
  OpenSpanInfo,
  StatsResult,
  StatsCollectorOptions,
} from './StatsCollector.js';
export type { ParseResult, ParseOptions } from '../format/parse.js';
export type {
  OtlpTracesData,
  OtlpSpan,
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpSpanInput,
  OtlpResourceInput,
  OtlpOptions,
} from '../format/otlp.js';
export type {
  ProcessGroup,
  ChromeEvent,
  SpeedscopeFile,
  SpeedscopeEvent,
} from './convert.js';
export type { LaneItem } from './lanes.js';
export type {
  IndexProcess,
  ProcessRow,
  ServiceRow,
  TraceListItem,
  TraceListQuery,
  TraceList,
  TraceTable,
  FlameTree,
  NameRow,
  OpenRow,
  SpanLocation,
  SpanIndexOptions,
} from './SpanIndex.js';
export type { TraceFollowerOptions } from './TraceFollower.js';
