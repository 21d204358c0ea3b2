import type { ReadIssues } from './types.js';
import type { RecordSink } from './TraceDecoder.js';
import type { ParseOptions } from '../format/parse.js';
import fs from 'node:fs';
import { createIssues } from './TraceDecoder.js';
import TraceByteDecoder from './TraceByteDecoder.js';
import StatsByteDecoder from './StatsByteDecoder.js';
import StatsCollector from './StatsCollector.js';
import { ErrorSpantrail } from '../errors.js';
import { readOptions } from './options.js';

/**
 * A trace input: a file path (`-` means stdin), or a named stream.
 */
type TraceInput =
  string | { name: string; stream: AsyncIterable<string | Uint8Array> };

type TraceReaderOptions = ParseOptions & {
  /**
   * Called now and then with the bytes read so far and the total size (0 if
   * unknown, e.g. stdin) of the current input.
   */
  onProgress?: (file: string, read: number, total: number) => void;
};

/** Result of reading one input. */
type InputResult = {
  file: string;
  /** Valid records delivered (legacy records included). */
  records: number;
  bytes: number;
};

/** Bytes read from a file at a time. */
const chunkSize = 1 << 20;

/**
 * A file's bytes in chunks from two buffers used in turn, each chunk valid
 * only until the next but one is asked for: for a decoder that keeps no
 * chunk (the stats path). The next read runs while a chunk is decoded, and
 * no megabyte is allocated per read (external memory sets off collections).
 */
async function* reusedChunks(file: string): AsyncGenerator<Uint8Array> {
  const handle = await fs.promises.open(file, 'r');
  const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let i = 0;
  let next = handle.read(bufs[0], 0, chunkSize, null);
  try {
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return;
      const buf = bufs[i];
      i ^= 1;
      // The other buffer's chunk was decoded before this one was asked for.
      next = handle.read(bufs[i], 0, chunkSize, null);
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    // A read left running when decoding stopped: settle it before closing.
    await next.catch(() => undefined);
    await handle.close();
  }
}

/** A reader error the CLI turns into a clear message. */
class TraceReadError extends ErrorSpantrail {
  public readonly file: string;
  public readonly code: 'ENOENT' | 'EISDIR' | 'EACCES' | 'EIO';

  constructor(file: string, code: TraceReadError['code'], message: string) {
    super(message);
    this.file = file;
    this.code = code;
  }
}

/**
 * Streams trace files line by line into a {@link RecordSink}, in constant
 * memory: the reader keeps only the current chunk and a partial line.
 *
 * Several inputs fed to one sink merge into one view (one file per process).
 * Skipped lines are counted in {@link TraceReader.issues}.
 */
class TraceReader {
  /** Counts of what was skipped across all inputs read so far. */
  public readonly issues: ReadIssues = createIssues();
  protected options: TraceReaderOptions;

  constructor(options: TraceReaderOptions = {}) {
    this.options = readOptions('TraceReader', options, ['onProgress']);
  }

  /** Reads every input in order into `sink`. */
  public async readAll(
    inputs: Iterable<TraceInput>,
    sink: RecordSink,
  ): Promise<Array<InputResult>> {
    const results: Array<InputResult> = [];
    for (const input of inputs) results.push(await this.read(input, sink));
    return results;
  }

  /** Reads one input into `sink`. */
  public async read(input: TraceInput, sink: RecordSink): Promise<InputResult> {
    let name: string;
    let stream: AsyncIterable<string | Uint8Array>;
    let total = 0;
    if (typeof input === 'string') {
      name = input;
      if (input === '-') {
        stream = process.stdin;
      } else {
        const stat = await fs.promises.stat(input).catch((e: any) => {
          throw new TraceReadError(
            input,
            e?.code === 'EACCES' ? 'EACCES' : 'ENOENT',
            e?.code === 'EACCES'
              ? `cannot read ${input}: permission denied`
              : `no such file: ${input}`,
          );
        });
        if (stat.isDirectory()) {
          throw new TraceReadError(
            input,
            'EISDIR',
            `${input} is a directory, not a trace file`,
          );
        }
        total = stat.size;
        stream =
          Object.getPrototypeOf(sink) === StatsCollector.prototype &&
          this.options.details === false
            ? reusedChunks(input)
            : fs.createReadStream(input, { highWaterMark: chunkSize });
      }
    } else {
      name = input.name;
      stream = input.stream;
    }
    // A plain StatsCollector takes the writer's span lines from the bytes
    // (a subclass may count records its own way: it gets records).
    const decoder =
      Object.getPrototypeOf(sink) === StatsCollector.prototype &&
      this.options.details === false
        ? new StatsByteDecoder(
            name,
            sink as StatsCollector,
            this.issues,
            this.options,
          )
        : new TraceByteDecoder(name, sink, this.issues, this.options);
    const onProgress = this.options.onProgress;
    let bytes = 0;
    try {
      for await (const chunk of stream) {
        bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
        decoder.write(chunk);
        if (onProgress != null) onProgress(name, bytes, total);
      }
    } catch (e: any) {
      throw new TraceReadError(
        name,
        'EIO',
        `error reading ${name}: ${e?.message ?? String(e)}`,
      );
    }
    decoder.end();
    return { file: name, records: decoder.records, bytes };
  }
}

export default TraceReader;
export { TraceReadError };
export type { TraceInput, TraceReaderOptions, InputResult };
