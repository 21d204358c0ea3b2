import type { MetaRecord, TraceRecord } from '../format/types.js';
import { startLinePrefix } from '../format/writer.js';
import type { ReadIssues, SpanSource } from './types.js';
import type { ParseOptions } from '../format/parse.js';
import { StringDecoder } from 'node:string_decoder';
import { parseLineFast } from '../format/fastParse.js';
import LegacyAssembler from './LegacyAssembler.js';

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

/** Creates an empty issue counter. */
function createIssues(): ReadIssues {
  return { malformed: 0, torn: 0, unknown: 0, samples: [] };
}

/**
 * Incremental decoder for one trace file: bytes in, validated records out.
 *
 * Splits on `\n`, holds a partial last line until more bytes come (so a
 * file being appended to can be fed as it grows), decodes UTF-8 across
 * chunk boundaries, converts js-logger records, and counts what it skips.
 */
class TraceDecoder {
  public readonly file: string;
  /** Records delivered so far. */
  public records: number = 0;
  protected sink: RecordSink;
  protected issues: ReadIssues;
  protected options: ParseOptions;
  // typed structurally: public declarations need no Node types
  protected decoder: {
    write(bytes: Uint8Array): string;
    end(): string;
  } = new StringDecoder('utf8');
  protected rest: string = '';
  protected lineNo: number = 0;
  protected source: SpanSource;
  protected legacy?: LegacyAssembler;

  constructor(
    file: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: ParseOptions = {},
  ) {
    this.file = file;
    this.sink = sink;
    this.issues = issues;
    this.options = options;
    this.source = { file };
  }

  /** Feeds bytes (or text) of the file, in order. */
  public write(chunk: Uint8Array | string): void {
    const text =
      typeof chunk === 'string'
        ? chunk
        : this.decoder.write(chunk as Uint8Array);
    let data = this.rest.length > 0 ? this.rest + text : text;
    let start = 0;
    let nl = data.indexOf('\n', start);
    while (nl !== -1) {
      this.line(data.slice(start, nl), false);
      start = nl + 1;
      nl = data.indexOf('\n', start);
    }
    // Bound the held partial line: a multi-megabyte line with no newline is
    // not a record anyone wrote; drop it rather than grow without limit.
    data = data.slice(start);
    if (data.length > 64 * 1024 * 1024) {
      this.lineNo++;
      this.malformed('line too long');
      data = '';
    }
    this.rest = data;
  }

  /**
   * Ends the input: the held partial line, if any, is parsed as a last line
   * with no newline; if it does not parse it counts as torn.
   */
  public end(): void {
    const tail = this.rest + this.decoder.end();
    this.rest = '';
    if (tail.length > 0) this.line(tail, true);
  }

  /** Whether a partial line is being held (the file is mid-write). */
  public get pending(): boolean {
    return this.rest.length > 0;
  }

  protected line(line: string, last: boolean): void {
    this.lineNo++;
    if (
      this.sink.rawStart != null &&
      !last &&
      line.startsWith(startLinePrefix)
    ) {
      const at = line.indexOf('"spanId":"', startLinePrefix.length);
      if (at > 0 && line.charCodeAt(at + 42) === 34) {
        this.records++;
        this.sink.rawStart(line.slice(at + 10, at + 42), line, this.source);
        return;
      }
    }
    const result = parseLineFast(line, this.options);
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

export default TraceDecoder;
export { createIssues };
export type { RecordSink };
