import type { SpanRecord, SpanStatus } from '../format/types.js';
import type { ParseOptions } from '../format/parse.js';
import type { ReadIssues } from './types.js';
import type { RecordSink } from './LineDecoder.js';
import { parseLineFast } from '../format/fastParse.js';
import LineDecoder from './LineDecoder.js';
import { toText } from '../utils/attributes.js';

/** A held partial line longer than this is not a record anyone wrote. */
const maxLineBytes = 64 * 1024 * 1024;
/** Most malformed-line samples kept for the report. */
/** Deepest nesting the byte skipper follows before asking the slow path. */
const maxSkipDepth = 256;

// Declared as Uint8Array (the public types need no Node types); the bytes
// are Buffers at run time.
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as Record<string, Slicer | undefined>;
/** Buffer's native decoders, without `toString`'s argument handling. */
const latin1: Slicer =
  proto.latin1Slice ??
  function (this: Uint8Array, a: number, b: number): string {
    return Buffer.from(this.buffer, this.byteOffset, this.length).toString(
      'latin1',
      a,
      b,
    );
  };
const utf8: Slicer =
  proto.utf8Slice ??
  function (this: Uint8Array, a: number, b: number): string {
    return Buffer.from(this.buffer, this.byteOffset, this.length).toString(
      'utf8',
      a,
      b,
    );
  };
/** Shared empty details of records read without them (never mutated). */
const noAttributes = Object.freeze(Object.create(null));
const noList: Array<never> = Object.freeze([]) as unknown as Array<never>;
/** Whether `len` bytes of `a` from `at` equal `b`. */
function sameBytes(
  a: Uint8Array,
  at: number,
  b: Uint8Array,
  len: number,
): boolean {
  for (let i = 0; i < len; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

/** 1 for the bytes of lowercase hex digits. */
const isHex = new Uint8Array(256);
for (const c of '0123456789abcdef') isHex[c.charCodeAt(0)] = 1;
/** Slots of the cache of recently decoded names. */
const nameCacheSize = 256;

const spanHead = Buffer.from('{"type":"span","traceId":"');
const startHead = Buffer.from('{"type":"start","traceId":"');
const spanIdKey = Buffer.from('","spanId":"');
const parentKey = Buffer.from(',"parentId":"');
const nameKey = Buffer.from(',"name":"');
const kindKey = Buffer.from(',"kind":');
const startKey = Buffer.from(',"startTime":');
const durationKey = Buffer.from(',"duration":');
const statusKey = Buffer.from(',"status":{"code":');
const messageKey = Buffer.from(',"message":"');
const attributesKey = Buffer.from(',"attributes":');
const eventsKey = Buffer.from(',"events":');
const linksKey = Buffer.from(',"links":');

/**
 * Incremental decoder of trace file bytes, like {@link TraceDecoder} but
 * splitting lines on bytes, so each record's byte offset in the file is
 * known ({@link TraceByteDecoder.lineOffset} while a sink is called), and
 * with a byte-level fast path: when attributes, events and links are not
 * wanted (`details: false`), the `span` lines spantrail writes are read
 * straight from the bytes, their other fields checked for JSON syntax but
 * never built. Any other line is decoded and parsed as
 * {@link TraceDecoder} parses it, with the same results.
 */
class TraceByteDecoder extends LineDecoder {
  /** Byte offset (from the first byte fed) of the line being delivered. */
  public lineOffset: number = 0;
  /** Byte length of that line, without its newline. */
  public lineLength: number = 0;
  protected details: boolean;
  protected rest: Uint8Array | undefined;
  /** Offset of the first byte of `rest` (or of the next chunk). */
  protected base: number;
  /** Cursor of the byte fast path. */
  protected b: Uint8Array = Buffer.alloc(0);
  protected p: number = 0;
  protected lineBuf: Uint8Array = Buffer.alloc(0);
  protected lineStart: number = 0;
  /** The last trace id read by the fast path, as bytes and as a string. */
  protected lastTrace: Uint8Array = Buffer.alloc(32);
  protected lastTraceId: string = '';
  /** Recently decoded names, by a hash of their bytes. */
  protected nameBytes: Array<Uint8Array | undefined> = new Array(nameCacheSize);
  protected nameText: Array<string> = new Array(nameCacheSize);

  public constructor(
    file: string,
    sink: RecordSink,
    issues: ReadIssues,
    options: ParseOptions & { offset?: number } = {},
  ) {
    super(file, sink, issues, options);
    this.details = this.options.details !== false;
    let offset: unknown;
    try {
      offset = options.offset;
    } catch {
      throw new TypeError('options cannot be read');
    }
    if (offset != null && !(typeof offset === 'number' && offset >= 0)) {
      throw new TypeError(
        `offset: must be a non-negative number, got ${toText(offset)}`,
      );
    }
    this.base = offset ?? 0;
  }

  /**
   * Feeds bytes of the file, in order. Throws a `TypeError` for what is
   * neither bytes nor text.
   */
  public write(chunk: Uint8Array | string): void {
    if (typeof chunk !== 'string' && !ArrayBuffer.isView(chunk)) {
      throw new TypeError(`write: expected bytes or text, got ${typeof chunk}`);
    }
    let buf: Uint8Array =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.rest != null) {
      // Join only the line that spans the chunks, not the whole chunk.
      const first = buf.indexOf(10);
      const rest = this.rest;
      if (first === -1) {
        buf = Buffer.concat([rest, buf]);
      } else {
        this.rest = undefined;
        const joined = Buffer.concat([rest, buf.subarray(0, first + 1)]);
        this.line(joined, 0, joined.length - 1, false);
        // From here `base` is the offset of `buf[0]`.
        this.base += rest.length;
        start = first + 1;
      }
    }
    this.rest = undefined;
    // Lines before the last newline are whole: scan() reads them without
    // running off the end (reads past the end would slow every byte read).
    const lastNl = buf.lastIndexOf(10);
    for (;;) {
      let nl = start <= lastNl ? this.scan(buf, start) : -1;
      if (nl === -1) {
        nl = buf.indexOf(10, start);
        if (nl === -1) break;
        this.line(buf, start, nl, false);
      }
      start = nl + 1;
    }
    this.base += start;
    if (buf.length - start > maxLineBytes) {
      this.lineNo++;
      this.malformed('line too long');
      this.base += buf.length - start;
    } else if (start < buf.length) {
      // A copy: a slice would keep the whole chunk alive.
      this.rest = Buffer.from(buf.subarray(start));
    }
  }

  /**
   * Ends the input: a held partial line is parsed as a last line with no
   * newline; if it does not parse it counts as torn.
   */
  public end(): void {
    const rest = this.rest;
    this.rest = undefined;
    if (rest != null && rest.length > 0) {
      this.line(rest, 0, rest.length, true);
      this.base += rest.length;
    }
  }

  /** Whether a partial line is being held (the file is mid-write). */
  public get pending(): boolean {
    return this.rest != null;
  }

  /** Offset of the next byte expected. */
  public get offset(): number {
    return this.base + (this.rest?.length ?? 0);
  }

  /** The line being delivered, as text (for a sink that keeps it). */
  public lineText(): string {
    return utf8.call(
      this.lineBuf,
      this.lineStart,
      this.lineStart + this.lineLength,
    );
  }

  protected line(
    buf: Uint8Array,
    start: number,
    end: number,
    last: boolean,
  ): void {
    this.lineNo++;
    this.lineBuf = buf;
    this.lineStart = start;
    this.lineOffset = this.base + start;
    this.lineLength = end - start;
    if (!this.details && !last) {
      const record = this.fastSpan(buf, start, end);
      if (record != null) {
        this.records++;
        this.sink.record(record, this.source);
        return;
      }
      if (this.sink.rawStart != null && this.isStartHead(buf, start, end)) {
        const at = start + startHead.length + 32 + spanIdKey.length;
        if (buf[at + 32] === 34) {
          this.records++;
          this.sink.rawStart(
            latin1.call(buf, at, at + 32),
            utf8.call(buf, start, end),
            this.source,
          );
          return;
        }
      }
    }
    this.deliver(parseLineFast(utf8.call(buf, start, end), this.options), last);
  }

  /**
   * A subclass's reader of whole lines straight from the bytes: takes the
   * line at `start` if it can (counting it as {@link LineDecoder} would)
   * and returns the offset of its newline, or -1 to leave it to
   * {@link TraceByteDecoder.line}. A newline follows `start` in `buf`; the
   * scan must stop at it (each check stops at the first byte that fails).
   */
  protected scan(_buf: Uint8Array, _start: number): number {
    return -1;
  }

  protected isStartHead(buf: Uint8Array, start: number, end: number): boolean {
    if (end - start < startHead.length + 32 + spanIdKey.length + 33) {
      return false;
    }
    for (let i = 0; i < startHead.length; i++) {
      if (buf[start + i] !== startHead[i]) return false;
    }
    return true;
  }

  protected lit(key: Uint8Array): boolean {
    const b = this.b;
    const p = this.p;
    const n = key.length;
    for (let i = 0; i < n; i++) if (b[p + i] !== key[i]) return false;
    this.p = p + n;
    return true;
  }

  /** `n` lowercase hex digits at the cursor, or -1. */
  protected hex(n: number): number {
    const b = this.b;
    const p = this.p;
    for (let i = p; i < p + n; i++) if (isHex[b[i]] !== 1) return -1;
    this.p = p + n;
    return p;
  }

  /** Whether the 32 bytes at `at` are the last trace id read. */
  protected sameTrace(buf: Uint8Array, at: number): boolean {
    if (this.lastTraceId === '') return false;
    const last = this.lastTrace;
    for (let i = 0; i < 32; i++) if (buf[at + i] !== last[i]) return false;
    return true;
  }

  /** A plain non-negative safe integer, or -1 (see fastParse). */
  protected uint(): number {
    const b = this.b;
    let p = this.p;
    const start = p;
    let v = 0;
    let c = b[p];
    if (c === 48) {
      p++;
      c = b[p];
      this.p = p;
      return c === 44 || c === 125 || c === 93 ? 0 : -1;
    }
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = b[++p];
    }
    this.p = p;
    if (p === start || !(c === 44 || c === 125 || c === 93)) return -1;
    return p - start > 15 && !Number.isSafeInteger(v) ? -1 : v;
  }

  /**
   * The end of a string whose opening quote is behind the cursor; -1 when
   * it has a control character, or an escape and `escapes` is false.
   */
  protected strEnd(escapes: boolean): number {
    const b = this.b;
    let p = this.p;
    const n = b.length;
    for (; p < n; p++) {
      const c = b[p];
      if (c === 34) {
        this.p = p + 1;
        return p;
      }
      if (c < 32) return -1;
      if (c === 92) {
        if (!escapes) return -1;
        const e = b[++p];
        if (e === 117) {
          for (let i = 1; i <= 4; i++) {
            const h = b[p + i];
            if (!(
              (h >= 48 && h <= 57) ||
              (h >= 97 && h <= 102) ||
              (h >= 65 && h <= 70)
            )) {
              return -1;
            }
          }
          p += 4;
        } else if (!(
          e === 34 ||
          e === 92 ||
          e === 47 ||
          e === 98 ||
          e === 102 ||
          e === 110 ||
          e === 114 ||
          e === 116
        )) {
          return -1;
        }
      }
    }
    return -1;
  }

  protected num(): boolean {
    const b = this.b;
    let p = this.p;
    let c = b[p];
    if (c === 45) c = b[++p];
    if (c === 48) {
      c = b[++p];
    } else if (c >= 49 && c <= 57) {
      while (c >= 48 && c <= 57) c = b[++p];
    } else {
      return false;
    }
    if (c === 46) {
      c = b[++p];
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) c = b[++p];
    }
    if (c === 101 || c === 69) {
      c = b[++p];
      if (c === 43 || c === 45) c = b[++p];
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) c = b[++p];
    }
    this.p = p;
    return true;
  }

  protected word(w: string): boolean {
    const b = this.b;
    for (let i = 0; i < w.length; i++) {
      if (b[this.p + i] !== w.charCodeAt(i)) return false;
    }
    this.p += w.length;
    return true;
  }

  /** A key string and its colon. */
  protected key(): boolean {
    if (this.b[this.p] !== 34) return false;
    this.p++;
    if (this.strEnd(true) < 0 || this.b[this.p] !== 58) return false;
    this.p++;
    return true;
  }

  /**
   * Skips a string, number, `true`, `false` or `null` starting with the
   * byte `c`, checking its syntax.
   */
  protected scalar(c: number): boolean {
    if (c === 34) {
      this.p++;
      return this.strEnd(true) >= 0;
    }
    if (c === 116) return this.word('true');
    if (c === 102) return this.word('false');
    if (c === 110) return this.word('null');
    return this.num();
  }

  /** Skips one JSON value, checking its syntax; iterative. */
  protected skip(): boolean {
    const b = this.b;
    const stack: Array<number> = [];
    for (;;) {
      const c = b[this.p];
      if (c === 123 || c === 91) {
        if (stack.length >= maxSkipDepth) return false;
        this.p++;
        const close = c === 123 ? 125 : 93;
        if (b[this.p] === close) {
          this.p++;
        } else {
          stack.push(c);
          if (c === 123 && !this.key()) return false;
          continue;
        }
      } else if (!this.scalar(c)) {
        return false;
      }
      for (;;) {
        if (stack.length === 0) return true;
        const top = stack[stack.length - 1];
        const d = b[this.p];
        if (d === 44) {
          this.p++;
          if (top === 123 && !this.key()) return false;
          break;
        }
        if ((top === 123 && d === 125) || (top === 91 && d === 93)) {
          this.p++;
          stack.pop();
          continue;
        }
        return false;
      }
    }
  }

  /**
   * A `span` line in the writer's layout, without its details; undefined
   * for anything else (the slow path then parses the line).
   */
  protected fastSpan(
    buf: Uint8Array,
    start: number,
    end: number,
  ): SpanRecord | undefined {
    if (end - start < 200) return undefined;
    this.b = buf;
    this.p = start;
    if (!this.lit(spanHead)) return undefined;
    // The trace id of the previous span line (already checked) is common.
    let t: number;
    if (this.sameTrace(buf, this.p)) {
      t = this.p;
      this.p += 32;
    } else {
      t = this.hex(32);
    }
    if (t < 0 || !this.lit(spanIdKey)) return undefined;
    const s = this.hex(32);
    if (s < 0 || buf[this.p++] !== 34) return undefined;
    let parent: string | undefined;
    if (this.lit(parentKey)) {
      let pa = this.hex(32);
      let len = 32;
      if (pa < 0 || buf[this.p] !== 34) {
        this.p = pa < 0 ? this.p : pa;
        pa = this.hex(16);
        len = 16;
      }
      if (pa < 0 || buf[this.p++] !== 34) return undefined;
      parent = latin1.call(buf, pa, pa + len);
    }
    if (!this.lit(nameKey)) return undefined;
    const nameStart = this.p;
    const nameEnd = this.strEnd(false);
    if (nameEnd < 0 || !this.lit(kindKey)) return undefined;
    const kind = this.uint();
    if (kind < 0 || !this.lit(startKey)) return undefined;
    const startTime = this.uint();
    if (startTime < 0 || !this.lit(durationKey)) return undefined;
    const duration = this.uint();
    if (duration < 0 || !this.lit(statusKey)) return undefined;
    const code = this.uint();
    if (code < 0) return undefined;
    const status: SpanStatus = { code: code === 1 || code === 2 ? code : 0 };
    if (this.lit(messageKey)) {
      const m = this.p;
      const me = this.strEnd(false);
      if (me < 0) return undefined;
      status.message = utf8.call(buf, m, me);
    }
    if (buf[this.p++] !== 125) return undefined;
    if (!this.lit(attributesKey) || !this.skip()) return undefined;
    if (!this.lit(eventsKey) || !this.skip()) return undefined;
    if (!this.lit(linksKey) || !this.skip()) return undefined;
    if (buf[this.p++] !== 125) return undefined;
    for (let i = this.p; i < end; i++) {
      if (buf[i] !== 13 && buf[i] !== 32) return undefined;
    }
    // Invalid UTF-8 in the name decodes as the string path decodes it.
    const record: SpanRecord = {
      type: 'span',
      traceId: this.traceIdAt(buf, t),
      spanId: latin1.call(buf, s, s + 32),
      name: this.nameAt(buf, nameStart, nameEnd),
      kind: (kind >= 1 && kind <= 4 ? kind : 0) as SpanRecord['kind'],
      startTime,
      duration,
      status,
      attributes: noAttributes,
      events: noList,
      links: noList,
    };
    if (parent !== undefined) record.parentId = parent;
    return record;
  }

  /** Spans of a trace come together: reuse the last trace id's string. */
  protected traceIdAt(buf: Uint8Array, at: number): string {
    if (this.sameTrace(buf, at)) return this.lastTraceId;
    this.lastTrace.set(buf.subarray(at, at + 32));
    this.lastTraceId = latin1.call(buf, at, at + 32);
    return this.lastTraceId;
  }

  /** Span names repeat: a small cache saves decoding them again. */
  protected nameAt(buf: Uint8Array, start: number, end: number): string {
    const len = end - start;
    const h =
      (len * 31 +
        (buf[start] | 0) * 7 +
        (buf[end - 1] | 0) +
        (buf[start + (len >> 1)] | 0) * 3) &
      (nameCacheSize - 1);
    const cached = this.nameBytes[h];
    if (
      cached !== undefined &&
      cached.length === len &&
      sameBytes(buf, start, cached, len)
    ) {
      return this.nameText[h];
    }
    const text = utf8.call(buf, start, end);
    if (len <= 256) {
      this.nameBytes[h] = Buffer.from(buf.subarray(start, end));
      this.nameText[h] = text;
    }
    return text;
  }
}

export default TraceByteDecoder;
export { utf8, latin1, sameBytes };
