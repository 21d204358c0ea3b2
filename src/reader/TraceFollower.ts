import type { ReadIssues } from './types.js';
import type { RecordSink } from './TraceDecoder.js';
import type { ParseOptions } from '../format/parse.js';
import fs from 'node:fs';
import { headChanged, readHead } from './fileIdentity.js';
import type { FileIdentity, ReadHandle } from './fileIdentity.js';
import TraceByteDecoder from './TraceByteDecoder.js';
import { readOptions } from './options.js';
import { toText } from '../utils/attributes.js';

type TraceFollowerOptions = ParseOptions & {
  /** Poll interval in milliseconds; default 250. */
  interval?: number;
  /** Called after a poll delivered new records. */
  onUpdate?: () => void;
  /**
   * Called when the file was truncated, replaced (another inode) or
   * rewritten (its first line changed): the caller should drop what it
   * built; the file is then read again from the start.
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
  protected decoder: TraceByteDecoder;
  protected offset: number = 0;
  /** Bumped by {@link reset}, so a poll in flight drops what it read. */
  protected generation: number = 0;
  protected timer?: ReturnType<typeof setTimeout>;
  protected stopped: boolean = false;
  protected buffer: Uint8Array = Buffer.allocUnsafe(1 << 20);
  /** The file read so far: device, inode, and its first bytes. */
  protected identity:
    { dev: number; ino: number; head: Uint8Array } | undefined;

  constructor(
    path: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: TraceFollowerOptions = {},
  ) {
    this.path = path;
    this.sink = sink;
    this.issues = issues;
    this.options = readOptions('TraceFollower', options, [
      'onUpdate',
      'onReset',
      'onError',
    ]);
    const interval = this.options.interval;
    if (interval != null && !(typeof interval === 'number' && interval >= 0)) {
      throw new TypeError(
        `TraceFollower: interval must be a non-negative number, got ${toText(interval)}`,
      );
    }
    this.decoder = new TraceByteDecoder(path, sink, issues, this.options);
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
    this.identity = undefined;
    this.decoder = new TraceByteDecoder(
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
      const stat = await handle.stat();
      const size = stat.size;
      if (await this.rewritten(handle, stat)) {
        this.reset();
        this.options.onReset?.();
      }
      if (this.identity === undefined && size > 0) {
        this.identity = {
          dev: stat.dev,
          ino: stat.ino,
          head: await readHead(handle, size),
        };
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

  /**
   * Whether the file is not the one read so far: it shrank, it is another
   * file (inode), or its first line changed (a truncation followed by a
   * longer rewrite between two polls).
   */
  protected async rewritten(
    handle: ReadHandle,
    stat: FileIdentity,
  ): Promise<boolean> {
    if (stat.size < this.offset) return true;
    const id = this.identity;
    if (id === undefined) return false;
    if (stat.dev !== id.dev || stat.ino !== id.ino) return true;
    const head = await readHead(handle, stat.size);
    if (headChanged(id.head, head)) return true;
    // a first line still being written when it was read: keep it whole
    if (head.length > id.head.length) id.head = head;
    return false;
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
