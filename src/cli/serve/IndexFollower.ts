import type { ReadIssues, RecordSink } from '../../reader/index.js';
import fs from 'node:fs';
import {
  SpanIndex,
  TraceByteDecoder,
  createIssues,
} from '../../reader/index.js';
import { headChanged, readHead } from '../../reader/fileIdentity.js';

type IndexFollowerOptions = {
  /** Poll interval in milliseconds. */
  interval?: number;
  /** Keep each span's line in the index (small inputs, the static report). */
  keepLines?: boolean;
  /** Called after a poll that changed the index. */
  onUpdate?: () => void;
  /** Called when the index was replaced (a file truncated or rotated). */
  onReset?: () => void;
};

type FileState = {
  path: string;
  offset: number;
  /** Inode of the file being read; a new one means it was rotated. */
  ino: number;
  /** Its first line (up to 4 KiB): a rewrite changes it. */
  head: Uint8Array | undefined;
  seen: boolean;
  decoder: TraceByteDecoder;
};

/** Bytes read per call: large reads, but the event loop still breathes. */
const readSize = 4 << 20;
const defaultInterval = 200;

/**
 * Follows trace files into a {@link SpanIndex}, like `tail -F`: a file may
 * not exist yet, may grow, and may be truncated or rotated (replaced by a
 * new file under its name). A truncation or rotation rebuilds the index
 * from every file, since spans of one trace may be in several files.
 */
class IndexFollower {
  public index: SpanIndex;
  public issues: ReadIssues = createIssues();
  /** Whether the first full read of every file is done. */
  public loaded: boolean = false;
  /** Bytes read and known size, for progress while loading. */
  public bytesRead: number = 0;
  public bytesTotal: number = 0;
  protected files: Array<FileState>;
  protected options: IndexFollowerOptions;
  protected timer?: ReturnType<typeof setTimeout>;
  protected stopped: boolean = false;
  protected polling?: Promise<void>;
  protected buffer: Buffer = Buffer.allocUnsafe(readSize);

  constructor(paths: Array<string>, options: IndexFollowerOptions = {}) {
    this.options = options;
    this.index = new SpanIndex({ keepLines: options.keepLines });
    this.files = paths.map((path) => this.fresh(path));
  }

  /** Reads what is there, then polls until {@link stop}. */
  public async start(): Promise<void> {
    this.stopped = false;
    await this.poll();
    this.loaded = true;
    this.options.onUpdate?.();
    this.schedule();
  }

  /** Reads the files once to their current end. */
  public async readOnce(): Promise<void> {
    await this.poll();
    for (const f of this.files) f.decoder.end();
    this.loaded = true;
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer != null) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** Reads whatever was appended to each file. */
  public poll(): Promise<void> {
    if (this.polling == null) {
      this.polling = this.pollFiles().finally(() => {
        this.polling = undefined;
      });
    }
    return this.polling;
  }

  protected fresh(path: string): FileState {
    const state: FileState = {
      path,
      offset: 0,
      ino: -1,
      head: undefined,
      seen: false,
      decoder: undefined as unknown as TraceByteDecoder,
    };
    const sink: RecordSink = {
      record: (r, source) => {
        const d = state.decoder;
        this.index.at(
          path,
          d.lineOffset,
          d.lineLength,
          this.options.keepLines === true ? d.lineText() : '',
        );
        this.index.record(r, source);
      },
    };
    state.decoder = new TraceByteDecoder(path, sink, this.issues, {
      details: false,
    });
    return state;
  }

  protected reset(): void {
    this.index = new SpanIndex({ keepLines: this.options.keepLines });
    this.issues = createIssues();
    this.files = this.files.map((f) => this.fresh(f.path));
    this.options.onReset?.();
  }

  protected async pollFiles(): Promise<void> {
    const before = this.index.generation;
    const index = this.index;
    let total = 0;
    for (const f of this.files) {
      let stat: fs.Stats;
      try {
        stat = await fs.promises.stat(f.path);
      } catch {
        // Not there (yet, or between a rotation's rename and create).
        continue;
      }
      if (!stat.isFile()) continue;
      total += stat.size;
      if (
        f.seen &&
        (stat.ino !== f.ino ||
          stat.size < f.offset ||
          (await this.rewritten(f, stat.size)))
      ) {
        this.reset();
        return this.pollFiles();
      }
      f.seen = true;
      f.ino = stat.ino;
      if (f.head === undefined) await this.rewritten(f, stat.size);
      if (stat.size > f.offset) await this.readFile(f, stat.size);
      if (this.stopped || this.index !== index) return;
    }
    this.bytesTotal = total;
    if (this.index.generation !== before) this.options.onUpdate?.();
  }

  /**
   * Whether the file's first line changed since it was read: a truncation
   * followed by a longer rewrite between two polls keeps the inode and
   * grows the size. Remembers the first line on the first look.
   */
  protected async rewritten(f: FileState, size: number): Promise<boolean> {
    if (size === 0) return false;
    let head: Uint8Array;
    try {
      const handle = await fs.promises.open(f.path, 'r');
      try {
        head = await readHead(handle, size);
      } finally {
        await handle.close();
      }
    } catch {
      return false;
    }
    if (f.head !== undefined && headChanged(f.head, head)) return true;
    if (f.head === undefined || head.length > f.head.length) f.head = head;
    return false;
  }

  protected async readFile(f: FileState, size: number): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(f.path, 'r');
    } catch {
      return;
    }
    try {
      const index = this.index;
      while (f.offset < size && !this.stopped && this.index === index) {
        const { bytesRead } = await handle.read(
          this.buffer,
          0,
          Math.min(readSize, size - f.offset),
          f.offset,
        );
        if (bytesRead === 0) break;
        f.offset += bytesRead;
        this.bytesRead += bytesRead;
        f.decoder.write(this.buffer.subarray(0, bytesRead));
        this.options.onUpdate?.();
        // Let requests in between big reads while loading.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await handle.close();
    }
  }

  protected schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.options.interval ?? defaultInterval);
  }
}

export default IndexFollower;
export type { IndexFollowerOptions };
