import type { ReadIssues } from './types.js';
import type { RecordSink } from './TraceDecoder.js';
import type { ParseOptions } from '../format/parse.js';
import fs from 'node:fs';
import TraceDecoder from './TraceDecoder.js';

type TraceFollowerOptions = ParseOptions & {
  /** Poll interval in milliseconds; default 250. */
  interval?: number;
  /** Called after a poll delivered new records. */
  onUpdate?: () => void;
  /**
   * Called when the file shrank (truncated or replaced): the caller should
   * drop what it built; the file is then read again from the start.
   */
  onReset?: () => void;
  /** Called when a poll fails (e.g. the file was removed). */
  onError?: (error: Error) => void;
  /**
   * A file that does not exist yet is waited for, like `tail -F`, instead
   * of failing {@link TraceFollower.start} (default false).
   */
  waitForFile?: boolean;
};

/**
 * Follows a trace file a running program appends to, like `tail -f`:
 * reads what is there, then polls for growth and feeds only the new bytes.
 * A partially written last line is held until its newline arrives.
 */
class TraceFollower {
  public readonly path: string;
  protected sink: RecordSink;
  protected issues: ReadIssues;
  protected options: TraceFollowerOptions;
  protected decoder: TraceDecoder;
  protected offset: number = 0;
  /** Bumped by {@link reset}, so a poll in flight drops what it read. */
  protected generation: number = 0;
  protected timer?: ReturnType<typeof setTimeout>;
  protected stopped: boolean = false;
  protected buffer: Uint8Array = Buffer.allocUnsafe(1 << 20);

  constructor(
    path: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: TraceFollowerOptions = {},
  ) {
    this.path = path;
    this.sink = sink;
    this.issues = issues;
    this.options = options;
    this.decoder = new TraceDecoder(path, sink, issues, options);
  }

  /** Records delivered since the last reset. */
  public get records(): number {
    return this.decoder.records;
  }

  /** Reads the current content, then keeps polling until {@link stop}. */
  public async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.poll();
    } catch (e: any) {
      if (this.options.waitForFile !== true || e?.code !== 'ENOENT') throw e;
    }
    this.schedule();
  }

  public stop(): void {
    this.stopped = true;
    if (this.timer != null) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Forgets what was read: the next poll reads the file again from the
   * start with a fresh decoder. For a caller that dropped the records of
   * this file (e.g. because another file it merges with was truncated).
   * Does not call `onReset`.
   */
  public reset(): void {
    this.generation++;
    this.offset = 0;
    this.decoder = new TraceDecoder(
      this.path,
      this.sink,
      this.issues,
      this.options,
    );
  }

  /** Reads whatever was appended; returns whether records were delivered. */
  public async poll(): Promise<boolean> {
    const decoder = this.decoder;
    const before = decoder.records;
    const handle = await fs.promises.open(this.path, 'r');
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.reset();
        this.options.onReset?.();
      }
      // onReset may reset this follower again; read under the final state.
      const generation = this.generation;
      while (this.offset < size) {
        const { bytesRead } = await handle.read(
          this.buffer,
          0,
          Math.min(this.buffer.length, size - this.offset),
          this.offset,
        );
        // Reset while reading: these bytes belong to the dropped state and
        // the next poll starts over.
        if (generation !== this.generation || bytesRead === 0) break;
        this.offset += bytesRead;
        this.decoder.write(this.buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
    const changed = this.decoder !== decoder || this.decoder.records !== before;
    if (changed) this.options.onUpdate?.();
    return changed;
  }

  protected schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll().then(
        () => this.schedule(),
        (e: Error) => {
          this.options.onError?.(e);
          this.schedule();
        },
      );
    }, this.options.interval ?? 250);
  }
}

export default TraceFollower;
export type { TraceFollowerOptions };
