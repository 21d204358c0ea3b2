import { startLinePrefix } from '../format/writer.js';
import type { ReadIssues } from './types.js';
import type { ParseOptions } from '../format/parse.js';
import { StringDecoder } from 'node:string_decoder';
import { parseLineFast } from '../format/fastParse.js';
import LineDecoder from './LineDecoder.js';
import type { RecordSink } from './LineDecoder.js';

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
class TraceDecoder extends LineDecoder {
  // typed structurally: public declarations need no Node types
  protected decoder: {
    write(bytes: Uint8Array): string;
    end(): string;
  } = new StringDecoder('utf8');
  protected rest: string = '';

  public constructor(
    file: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: ParseOptions = {},
  ) {
    super(file, sink, issues, options);
  }

  /**
   * Feeds bytes (or text) of the file, in order. Throws a `TypeError` for
   * what is neither.
   */
  public write(chunk: Uint8Array | string): void {
    if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) {
      throw new TypeError(`write: expected bytes or text, got ${typeof chunk}`);
    }
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
    this.deliver(parseLineFast(line, this.options), last);
  }
}

export default TraceDecoder;
export { createIssues };
export type { RecordSink };
