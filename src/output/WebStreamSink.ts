import type { Sink, SinkEvents } from '../types.js';

/**
 * Writes UTF-8 bytes to a WHATWG `WritableStream`, waiting on
 * `writer.ready` when its queue is full.
 */
class WebStreamSink implements Sink {
  protected writer: WritableStreamDefaultWriter<Uint8Array>;
  protected events: SinkEvents;
  // structural: Node's types declare TextEncoder as a value only
  protected encoder: { encode(input: string): Uint8Array } = new TextEncoder();

  /**
   * Throws a `TypeError` when `stream` gives no writer (not a stream, or
   * a locked one).
   */
  public constructor(stream: WritableStream<Uint8Array>, events: SinkEvents) {
    try {
      this.writer = stream.getWriter();
    } catch (e) {
      throw new TypeError(
        'WebStreamSink: expected a WritableStream that is not locked',
        { cause: e },
      );
    }
    this.events = events;
  }

  public write(chunk: string): boolean {
    this.writer.write(this.encoder.encode(chunk)).catch(this.events.fail);
    const room = this.writer.desiredSize;
    if (room == null || room > 0) return true;
    this.writer.ready.then(this.events.drain, this.events.fail);
    return false;
  }

  /** What the stream's queue holds beyond its high-water mark. */
  public held(): number {
    const room = this.writer.desiredSize;
    return room != null && room < 0 ? -room : 0;
  }

  public writeSync(chunk: string): void {
    if (chunk === '') return;
    this.writer.write(this.encoder.encode(chunk)).catch(() => {});
  }

  public async close(): Promise<void> {
    try {
      await this.writer.close();
    } catch {
      // an errored stream was reported when it failed
    }
  }
}

export default WebStreamSink;
