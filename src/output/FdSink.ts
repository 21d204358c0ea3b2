import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import type * as NodeBuffer from 'node:buffer';
import type * as NodeNet from 'node:net';
import type * as NodeTty from 'node:tty';
import type { Sink, SinkEvents } from '../types.js';
import { ErrorOutput } from './errors.js';
import { defaultExitTimeout } from '../constants.js';
import { toText } from '../utils/attributes.js';
import { getBuiltin, processObject } from '../utils/platform.js';

/** Retry delays for a full pipe, in milliseconds: short while the reader
 * takes bytes, doubling up to the longest while it takes none. */
const minRetryDelay = 1;
const maxRetryDelay = 10;
const encoder = new TextEncoder();
const fileMode = 0o600;
const folderMode = 0o700;
/** Permission bits of the group and of others. */
const groupOtherBits = 0o077;
/**
 * Linux's pseudo-terminal multiplexer (5, 2): reopening a pty master
 * through `/proc/self/fd` would make a new pty, not a second description.
 */
const ptmxDevice = 0x502;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function isAgain(e: any): boolean {
  return e?.code === 'EAGAIN' || e?.code === 'EWOULDBLOCK';
}

/**
 * The part of `node:fs` a sink uses, described structurally so that the
 * public declarations need no Node types.
 */
type FdSinkFs = {
  writeSync(
    fd: number,
    data: Uint8Array,
    offset?: number,
    length?: number,
  ): number;
  closeSync(fd: number): void;
};

/** A byte buffer that encodes strings into itself (Node's `Buffer`). */
type EncodingBuffer = Uint8Array & {
  write(text: string, offset: number, encoding: 'utf8'): number;
};

/**
 * Bytes a pipe takes whole or not at all (POSIX's least `PIPE_BUF`; Linux
 * has 4096): records written in chunks no larger stay whole between the
 * program's own writes to the same pipe.
 */
const pipeAtomic = 4096;
const newline = 10;

/**
 * The end of the next chunk of `data` from `offset` that holds whole lines
 * only and no more than {@link pipeAtomic} bytes; a longer line is one
 * chunk of its own.
 */
function atomicEnd(data: Uint8Array, offset: number): number {
  if (data.length - offset <= pipeAtomic) return data.length;
  const last = data.lastIndexOf(newline, offset + pipeAtomic - 1);
  if (last >= offset) return last + 1;
  const next = data.indexOf(newline, offset);
  return next < 0 ? data.length : next + 1;
}

/** Smallest and largest scratch buffer kept between batches, in bytes. */
const minScratch = 256 * 1024;
const maxScratch = 4 * 1024 * 1024;

/**
 * Writes to a file descriptor with `fs.writeSync`: one system call per
 * batch, and nothing left in flight that a sudden exit could lose. A full
 * non-blocking pipe (EAGAIN) keeps the rest and retries on a timer.
 */
class FdSink implements Sink {
  public readonly fd: number;
  protected fs: FdSinkFs;
  protected owned: boolean;
  protected events: SinkEvents;
  protected pending: Uint8Array | undefined;
  protected retryTimer: ReturnType<typeof setTimeout> | undefined;
  protected allocate: (size: number) => EncodingBuffer | undefined;
  protected scratch: EncodingBuffer | undefined;
  /** Longest wait of `writeSync` for a full pipe, in milliseconds. */
  protected exitTimeout: number;
  /** Keeps the handle that made a socket non-blocking. */
  protected handle: unknown;
  /** `Date.now()` when the destination last took bytes. */
  protected lastProgress: number = 0;
  /**
   * Shared with other writers (the program's own stdout): written in
   * chunks of whole lines a pipe takes whole.
   */
  protected shared: boolean = false;
  protected retryDelay: number = minRetryDelay;

  public constructor(
    fs: FdSinkFs,
    fd: number,
    owned: boolean,
    events: SinkEvents,
    exitTimeout: number = defaultExitTimeout,
  ) {
    const buffer = getBuiltin<typeof NodeBuffer>('node:buffer');
    this.allocate = (size) =>
      buffer?.Buffer.allocUnsafeSlow(size) as EncodingBuffer | undefined;
    this.fs = fs;
    this.fd = fd;
    this.owned = owned;
    this.events = events;
    this.exitTimeout = exitTimeout;
  }

  /** Bytes a full pipe still holds back. */
  public held(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Whether bytes are held back and the destination took none for
   * `exitTimeout`: a reader that stopped reading, not a slow one.
   */
  public stalled(): boolean {
    return (
      this.pending !== undefined &&
      Date.now() - this.lastProgress >= this.exitTimeout
    );
  }

  /**
   * Tries the held bytes once, without waiting: a program busy in a loop
   * runs no retry timer, and a reader may have made room meanwhile.
   */
  public retry(): void {
    if (this.pending === undefined) return;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt();
  }

  /**
   * Hands the batch to `fs.writeSync` as UTF-8 bytes; what a full pipe
   * does not take is kept, exact to the byte, for the retry.
   */
  public write(chunk: string): boolean {
    if (this.pending !== undefined) {
      // a retry holds older bytes: queue behind them, never overtake
      this.pending = concat(this.pending, encoder.encode(chunk));
      return false;
    }
    if (!this.writeSome(this.encode(chunk))) {
      // bytes are held from now: the stall clock starts
      this.lastProgress = Date.now();
      this.retryDelay = minRetryDelay;
      this.scheduleRetry();
      return false;
    }
    return true;
  }

  /**
   * `chunk` as UTF-8, in a scratch buffer reused from batch to batch: the
   * encoding gives the exact byte count a short write is checked against,
   * for less than a second pass over the string would cost.
   */
  protected encode(chunk: string): Uint8Array {
    // a UTF-16 code unit never takes more than 3 bytes
    const most = chunk.length * 3;
    if (this.scratch === undefined || this.scratch.length < most) {
      this.scratch =
        most > maxScratch
          ? undefined
          : this.allocate(Math.max(most, minScratch));
      // too big to keep, or no Node Buffer: a one-off encoding
      if (this.scratch === undefined) return encoder.encode(chunk);
    }
    const n = this.scratch.write(chunk, 0, 'utf8');
    return this.scratch.subarray(0, n);
  }

  /**
   * Writes `chunk` after whatever a retry still holds, waiting a bounded
   * time for a full pipe (this runs at exit). What the deadline leaves is
   * kept for the retry timer; when everything went out, a retry that was
   * pending is over and the output hears that the sink drained.
   */
  public writeSync(chunk: string): void {
    const retrying = this.retryTimer !== undefined;
    if (retrying) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    let data: Uint8Array = encoder.encode(chunk);
    if (this.pending !== undefined) {
      data = concat(this.pending, data);
      this.pending = undefined;
    }
    // a reader that takes bytes is waited for; one that takes none for
    // `exitTimeout` is given up on
    let deadline = Date.now() + this.exitTimeout;
    let waiter: Int32Array | undefined;
    let left = data.length;
    while (!this.writeSome(data)) {
      const now = Date.now();
      if (this.pending!.length < left) {
        left = this.pending!.length;
        deadline = now + this.exitTimeout;
      } else if (now > deadline) {
        this.scheduleRetry();
        return;
      }
      waiter ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(waiter, 0, 0, minRetryDelay);
      data = this.pending!;
      this.pending = undefined;
    }
    if (retrying) this.events.drain();
  }

  public close(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.owned) {
      try {
        this.fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
  }

  /**
   * Writes as much as it can; keeps the rest in `pending` on EAGAIN. Notes
   * when the destination last took bytes.
   */
  protected writeSome(data: Uint8Array): boolean {
    let offset = 0;
    try {
      while (offset < data.length) {
        const end = this.shared ? atomicEnd(data, offset) : data.length;
        offset += this.fs.writeSync(this.fd, data, offset, end - offset);
        this.lastProgress = Date.now();
      }
      return true;
    } catch (e) {
      if (!isAgain(e)) throw e;
      // a copy (a Buffer's own slice() is a view): `data` may be the
      // scratch buffer the next batch reuses
      this.pending = Uint8Array.prototype.slice.call(data, offset);
      return false;
    }
  }

  /** One attempt at the held bytes: done, or a retry scheduled. */
  protected attempt(): void {
    const data = this.pending!;
    this.pending = undefined;
    try {
      if (this.writeSome(data)) {
        this.retryDelay = minRetryDelay;
        this.events.drain();
        return;
      }
      // soon again while the reader takes bytes, less often while not
      this.retryDelay =
        this.pending!.length < data.length
          ? minRetryDelay
          : Math.min(this.retryDelay * 2, maxRetryDelay);
      this.scheduleRetry();
    } catch (e) {
      this.events.fail(e);
    }
  }

  protected scheduleRetry(): void {
    // unref'd: a reader that never reads must not keep the process alive;
    // the exit flush makes the last bounded attempt
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt();
    }, this.retryDelay);
    (this.retryTimer as any).unref?.();
  }

  /**
   * Opens `path` for appending, privately: a new file is made 0600 and new
   * parent folders 0700 (whatever the umask), a symbolic link at `path` is
   * refused (`O_NOFOLLOW`), a FIFO without a reader is refused rather than
   * waited on, and an existing regular file must belong to this process's
   * user: when it does and the group or others may access it, it is
   * tightened to 0600; when it does not, it is refused. Throws
   * {@link ErrorOutput} naming the path and the reason.
   */
  public static open(
    path: string,
    events: SinkEvents,
    exitTimeout?: number,
  ): FdSink {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`output: expected a path, got ${toText(path)}`);
    }
    const fs = getBuiltin<typeof NodeFs>('node:fs');
    const pathMod = getBuiltin<typeof NodePath>('node:path');
    if (fs == null || pathMod == null) {
      throw new TypeError(
        `output: '${path}' is a file path, but this runtime has no file system`,
      );
    }
    const c = fs.constants;
    let fd: number | undefined;
    try {
      fs.mkdirSync(pathMod.dirname(path), {
        recursive: true,
        mode: folderMode,
      });
      fd = fs.openSync(
        path,
        c.O_WRONLY |
          c.O_APPEND |
          c.O_CREAT |
          (c.O_NOFOLLOW ?? 0) |
          (c.O_NONBLOCK ?? 0),
        fileMode,
      );
      checkPrivate(fs, fd, path);
    } catch (e) {
      if (fd !== undefined) closeQuietly(fs, fd);
      throw openError(path, e);
    }
    return new FdSink(fs, fd, true, events, exitTimeout);
  }

  /**
   * Writes to an fd the caller owns (1 and 2 included). A pipe, terminal
   * or socket is written without blocking: a pipe or terminal through a
   * non-blocking descriptor of its own where the platform has
   * `/proc/self/fd` (Linux), else, for pipes and sockets, by switching the
   * descriptor to non-blocking mode. A terminal elsewhere stays blocking:
   * its descriptor is shared with the program's own `process.stdout`.
   */
  public static fromFd(
    fd: number,
    events: SinkEvents,
    exitTimeout?: number,
  ): FdSink {
    // Node's fstat aborts the process on a Proxy
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
      throw new TypeError(`output: ${toText(fd)} is not a file descriptor`);
    }
    const fs = getBuiltin<typeof NodeFs>('node:fs');
    if (fs == null) {
      throw new TypeError(
        `output: fd ${fd} needs a file system, and this runtime has none`,
      );
    }
    let stat: NodeFs.Stats | undefined;
    try {
      stat = fs.fstatSync(fd);
    } catch {
      // a closed fd fails on the first write, and is reported then
    }
    if (
      stat !== undefined &&
      (stat.isFIFO() ||
        (stat.isCharacterDevice() &&
          stat.rdev !== ptmxDevice &&
          isTerminal(fd)))
    ) {
      const own = reopenNonBlocking(fs, fd);
      if (own !== undefined) {
        const sink = new FdSink(fs, own, true, events, exitTimeout);
        sink.shared = true;
        return sink;
      }
    }
    const sink = new FdSink(fs, fd, false, events, exitTimeout);
    if (stat !== undefined && (stat.isFIFO() || stat.isSocket())) {
      sink.handle = setNonBlocking(fd);
      sink.shared = true;
    }
    return sink;
  }
}

/** Refuses a file of another user; tightens one of ours to 0600. */
function checkPrivate(fs: typeof NodeFs, fd: number, path: string): void {
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) return;
  const uid = processObject()?.getuid?.();
  if (typeof uid === 'number' && stat.uid !== uid) {
    throw Object.assign(
      new Error(
        `the file belongs to user ${stat.uid}, not to this process's user ${uid}`,
      ),
      { code: 'EPERM' },
    );
  }
  if ((stat.mode & groupOtherBits) !== 0) fs.fchmodSync(fd, fileMode);
  void path;
}

function openError(path: string, e: any): ErrorOutput {
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const reason =
    code === 'ELOOP'
      ? 'it is a symbolic link, which is never followed'
      : code === 'ENXIO'
        ? 'it is a FIFO with no reader'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(e?.message ?? e);
  return new ErrorOutput(`output: cannot open '${path}': ${reason}`, {
    target: path,
    code,
    cause: e,
  });
}

function closeQuietly(fs: typeof NodeFs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing more to do
  }
}

function isTerminal(fd: number): boolean {
  try {
    return getBuiltin<typeof NodeTty>('node:tty')?.isatty(fd) === true;
  } catch {
    return false;
  }
}

/**
 * A non-blocking descriptor of our own for the pipe or terminal `fd`: a
 * new open file description (as libuv makes for a terminal), so `fd`,
 * shared with other processes and with `process.stdout`, stays as it is.
 * `O_NOCTTY`: a terminal opened this way never becomes the controlling
 * one. Linux only; undefined elsewhere or when a pipe has no reader.
 */
function reopenNonBlocking(fs: typeof NodeFs, fd: number): number | undefined {
  const c = fs.constants;
  if (processObject()?.platform !== 'linux' || c.O_NONBLOCK == null) {
    return undefined;
  }
  try {
    return fs.openSync(
      `/proc/self/fd/${fd}`,
      c.O_WRONLY | c.O_NONBLOCK | (c.O_NOCTTY ?? 0),
    );
  } catch {
    return undefined;
  }
}

/**
 * Puts `fd` in non-blocking mode: Node has no `fcntl`, but opening a pipe
 * handle on the descriptor does it (libuv's `uv_pipe_open`). The handle
 * never reads, never closes the fd, and keeps nothing alive.
 */
function setNonBlocking(fd: number): unknown {
  const net = getBuiltin<typeof NodeNet>('node:net');
  if (net == null) return undefined;
  try {
    const socket = new net.Socket({ fd, readable: false, writable: false });
    socket.unref();
    return socket;
  } catch {
    // already watched by the runtime (process.stdout): non-blocking then
    return undefined;
  }
}

export default FdSink;
