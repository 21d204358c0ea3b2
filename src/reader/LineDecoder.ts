import type { MetaRecord, TraceRecord } from '../format/types.js';
import type { ParseOptions, ParseResult } from '../format/parse.js';
import type { ReadIssues, SpanSource } from './types.js';
import LegacyAssembler from './LegacyAssembler.js';
import { readParseOptions } from '../format/parse.js';

/** Receives the records of one or more files. */
interface RecordSink {
  /**
   * Called for each valid record. `source` is shared by consecutive records
   * of one file until its `meta` changes; do not mutate it.
   */
  record(record: TraceRecord, source: SpanSource): void;
  /**
   * Optional: receive `start` lines unparsed, by span id. A sink that only
   * needs the starts that never end (`stats`) parses just those, which
   * saves parsing about half the lines of a file. The line is not yet
   * validated.
   */
  rawStart?(spanId: string, line: string, source: SpanSource): void;
}

/** Most malformed-line samples kept for the report. */
const maxSamples = 5;

/**
 * What the text and the byte decoders of a trace file share once a line is
 * parsed: handing records on with their source, assembling js-logger
 * records, and counting what was skipped.
 */
abstract class LineDecoder {
  public readonly file: string;
  /** Records delivered so far. */
  public records: number = 0;
  protected sink: RecordSink;
  protected issues: ReadIssues;
  protected options: ParseOptions;
  protected lineNo: number = 0;
  protected source: SpanSource;
  protected legacy?: LegacyAssembler;

  /**
   * Throws a `TypeError` when `sink` has no `record` method or `options`
   * cannot be read.
   */
  public constructor(
    file: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: ParseOptions = {},
  ) {
    if (!hasRecord(sink)) {
      throw new TypeError('decoder: sink must have a record() method');
    }
    this.file = file;
    this.sink = sink;
    this.issues = issues;
    this.options = readParseOptions(options);
    this.source = { file };
  }

  /** Hands on the record a line parsed to, or counts why it was skipped. */
  protected deliver(result: ParseResult, last: boolean): void {
    switch (result.kind) {
      case 'record': {
        const record = result.record;
        if (record.type === 'meta') this.setMeta(record);
        this.records++;
        this.sink.record(record, this.source);
        return;
      }
      case 'legacy': {
        if (this.legacy == null) this.legacy = new LegacyAssembler();
        const converted = this.legacy.convert(result.record);
        this.records++;
        if (converted != null) this.sink.record(converted, this.source);
        return;
      }
      case 'unknown':
        this.issues.unknown++;
        return;
      case 'blank':
        return;
      case 'malformed':
        if (last) {
          this.issues.torn++;
          this.sample('torn last line');
        } else {
          this.malformed(result.reason);
        }
        return;
    }
  }

  protected setMeta(meta: MetaRecord): void {
    this.source = { file: this.file, meta };
  }

  protected malformed(reason: string): void {
    this.issues.malformed++;
    this.sample(reason);
  }

  protected sample(reason: string): void {
    if (this.issues.samples.length < maxSamples) {
      this.issues.samples.push({ file: this.file, line: this.lineNo, reason });
    }
  }
}

function hasRecord(sink: unknown): boolean {
  try {
    return typeof (sink as RecordSink).record === 'function';
  } catch {
    return false;
  }
}

export default LineDecoder;
export type { RecordSink };
