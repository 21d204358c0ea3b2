import type { NodeWritableLike, Sink, SinkEvents } from '../types.js';
import { processObject } from '../utils/platform.js';

/**
 * Writes to a Node `stream.Writable`, honouring its backpressure: after
 * `write` returns false nothing more is handed on until `drain`.
 */
class StreamSink implements Sink {
  protected stream: NodeWritableLike;
  protected events: SinkEvents;
  protected failed = false;

  /** Throws a `TypeError` when `stream` cannot take an error listener. */
  public constructor(stream: NodeWritableLike, events: SinkEvents) {
    this.stream = stream;
    this.events = events;
    try {
      stream.on('error', this.onError);
    } catch (e) {
      throw new TypeError('StreamSink: expected a Node writable stream', {
        cause: e,
      });
    }
  }

  public write(chunk: string): boolean {
    if (this.stream.write(chunk, this.onWritten)) return true;
    this.stream.once('drain', this.events.drain);
    return false;
  }

  /** What the stream still holds, unwritten. */
  public held(): number {
    const length = (this.stream as { writableLength?: unknown }).writableLength;
    return typeof length === 'number' ? length : 0;
  }

  /** A stream cannot be waited on synchronously: queue it, best effort. */
  public writeSync(chunk: string): void {
    if (chunk !== '') this.stream.write(chunk);
  }

  public close(): Promise<void> {
    const stream = this.stream as any;
    const proc = processObject();
    // a failed stream may still emit its error: keep catching it
    const detach = () => {
      if (!this.failed) stream.off?.('error', this.onError);
    };
    if (
      typeof stream.end !== 'function' ||
      stream === proc?.stdout ||
      stream === proc?.stderr
    ) {
      // shared streams outlive the output: leave no listener behind
      detach();
      return Promise.resolve();
    }
    // the listener stays until the end, so an error while ending is caught
    return new Promise((resolve) =>
      stream.end(() => {
        detach();
        resolve();
      }),
    );
  }

  protected onError = (e: unknown): void => this.fail(e);

  protected onWritten = (e?: Error | null): void => {
    if (e != null) this.fail(e);
  };

  protected fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.events.fail(e);
  }
}

export default StreamSink;
