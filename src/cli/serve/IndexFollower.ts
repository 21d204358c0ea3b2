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
  /** The file's name in the index: the path, then one per rotation. */
  key: string;
  /** Files opened at the path so far, this one included. */
  generation: number;
  /** Held open, like `tail -F`: a rotated file is still read through it. */
  handle?: fs.promises.FileHandle;
  offset: number;
  dev: number;
  ino: number;
  /** Its first line (up to 4 KiB): a rewrite changes it. */
  head: Uint8Array | undefined;
  decoder: TraceByteDecoder;
};

/** Bytes read per call: large reads, but the event loop still breathes. */
const readSize = 4 << 20;
const defaultInterval = 200;
/** Separates a path from its rotation number in an index file name. */
const generationMark = '\u0000';

/**
 * Follows trace files into a {@link SpanIndex}, like `tail -F`: a file may
 * not exist yet, may grow, and may be truncated or rotated. A rotated file
 * (a new file under its name) is kept open and retired: its spans stay in
 * the index, their details are read through it, and it is still read if
 * its writer appends to it; the new file is followed from its start. A
 * truncation in place means the data is gone: the index is rebuilt from
 * every file, since spans of one trace may be in several files.
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
  /** Rotated away from their path, kept open until {@link stop}. */
  protected retired: Array<FileState> = [];
  protected options: IndexFollowerOptions;
  protected timer?: ReturnType<typeof setTimeout>;
  protected stopped: boolean = false;
  protected polling?: Promise<void>;
  protected buffer: Buffer = Buffer.allocUnsafe(readSize);

  constructor(paths: Array<string>, options: IndexFollowerOptions = {}) {
    this.options = options;
    this.index = new SpanIndex({ keepLines: options.keepLines });
    this.files = paths.map((path) => this.fresh(path, 0));
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

  /** Stops polling and closes every file, retired ones included. */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer != null) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    const open = [...this.files, ...this.retired];
    this.retired = [];
    for (const f of open) {
      const handle = f.handle;
      f.handle = undefined;
      await handle?.close().catch(() => undefined);
    }
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

  /**
   * The open file an index file name (`SpanIndex.files`) was read from,
   * retired or not; undefined when it is not open.
   */
  public handleOf(key: string): fs.promises.FileHandle | undefined {
    for (const f of this.files) if (f.key === key) return f.handle;
    for (const f of this.retired) if (f.key === key) return f.handle;
    return undefined;
  }

  /** Reads `length` bytes at `offset` of an index file, or undefined. */
  public async readAt(
    key: string,
    offset: number,
    length: number,
  ): Promise<Buffer | undefined> {
    const handle = this.handleOf(key);
    if (handle == null || !(length >= 0) || !(offset >= 0)) return undefined;
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } catch {
      return undefined;
    }
  }

  protected fresh(
    path: string,
    generation: number,
    handle?: fs.promises.FileHandle,
  ): FileState {
    const state: FileState = {
      path,
      key: generation === 0 ? path : path + generationMark + generation,
      generation,
      handle,
      offset: 0,
      dev: -1,
      ino: -1,
      head: undefined,
      decoder: undefined as unknown as TraceByteDecoder,
    };
    const key = state.key;
    const sink: RecordSink = {
      record: (r, source) => {
        const d = state.decoder;
        this.index.at(
          key,
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

  /** The same file read again from its start (into a new index). */
  protected renew(f: FileState): FileState {
    const g = this.fresh(f.path, f.generation, f.handle);
    g.dev = f.dev;
    g.ino = f.ino;
    return g;
  }

  protected reset(): void {
    this.index = new SpanIndex({ keepLines: this.options.keepLines });
    this.issues = createIssues();
    this.retired = this.retired.map((f) => this.renew(f));
    this.files = this.files.map((f) => this.renew(f));
    this.options.onReset?.();
  }

  protected async pollFiles(): Promise<void> {
    const before = this.index.generation;
    const index = this.index;
    let total = 0;
    // Retired files first: their spans come before the new files' ones.
    for (const f of this.retired) {
      const size = await this.sizeOf(f);
      if (size < 0) continue;
      total += Math.max(size, f.offset);
      if (size > f.offset) await this.readFile(f, size);
      if (this.stopped || this.index !== index) return;
    }
    for (let k = 0; k < this.files.length; k++) {
      let f = this.files[k];
      let stat: fs.Stats | undefined;
      try {
        stat = await fs.promises.stat(f.path);
      } catch {
        // Not there (yet, or between a rotation's rename and create).
        stat = undefined;
      }
      if (stat != null && !stat.isFile()) stat = undefined;
      if (
        f.handle != null &&
        stat != null &&
        (stat.ino !== f.ino || stat.dev !== f.dev)
      ) {
        // Rotated: read the old file to its end and keep it open.
        const size = await this.sizeOf(f);
        if (size > f.offset) await this.readFile(f, size);
        if (this.stopped || this.index !== index) return;
        this.retired.push(f);
        total += f.offset;
        f = this.fresh(f.path, f.generation + 1);
        this.files[k] = f;
      }
      if (f.handle == null) {
        if (stat == null || !(await this.openFile(f))) continue;
      }
      const size = await this.sizeOf(f);
      if (size < 0) continue;
      total += size;
      if (size < f.offset || (await this.rewritten(f, size))) {
        // Truncated in place: what was read is gone.
        this.reset();
        return this.pollFiles();
      }
      if (size > f.offset) await this.readFile(f, size);
      if (this.stopped || this.index !== index) return;
    }
    this.bytesTotal = total;
    if (this.index.generation !== before) this.options.onUpdate?.();
  }

  /** Opens the file at the path; false when it is not a regular file. */
  protected async openFile(f: FileState): Promise<boolean> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(f.path, 'r');
    } catch {
      return false;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || this.stopped) throw new Error('not a file');
      f.handle = handle;
      f.dev = stat.dev;
      f.ino = stat.ino;
      return true;
    } catch {
      await handle.close().catch(() => undefined);
      return false;
    }
  }

  /** The size of the open file, -1 when it cannot be told. */
  protected async sizeOf(f: FileState): Promise<number> {
    if (f.handle == null) return -1;
    try {
      return (await f.handle.stat()).size;
    } catch {
      return -1;
    }
  }

  /**
   * Whether the file's first line changed since it was read: a truncation
   * followed by a longer rewrite between two polls keeps the inode and
   * grows the size. Remembers the first line on the first look.
   */
  protected async rewritten(f: FileState, size: number): Promise<boolean> {
    if (size === 0 || f.handle == null) return false;
    let head: Uint8Array;
    try {
      head = await readHead(f.handle, size);
    } catch {
      return false;
    }
    if (f.head !== undefined && headChanged(f.head, head)) return true;
    if (f.head === undefined || head.length > f.head.length) f.head = head;
    return false;
  }

  protected async readFile(f: FileState, size: number): Promise<void> {
    const handle = f.handle;
    if (handle == null) return;
    const index = this.index;
    while (f.offset < size && !this.stopped && this.index === index) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(
          this.buffer,
          0,
          Math.min(readSize, size - f.offset),
          f.offset,
        ));
      } catch {
        return;
      }
      if (bytesRead === 0) break;
      f.offset += bytesRead;
      this.bytesRead += bytesRead;
      f.decoder.write(this.buffer.subarray(0, bytesRead));
      this.options.onUpdate?.();
      // Let requests in between big reads while loading.
      await new Promise((resolve) => setImmediate(resolve));
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
