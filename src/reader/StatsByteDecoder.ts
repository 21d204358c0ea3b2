import type { ReadIssues } from './types.js';
import type { ParseOptions } from '../format/parse.js';
import type StatsCollector from './StatsCollector.js';
import type { NameEntry } from './StatsCollector.js';
import TraceByteDecoder, {
  latin1,
  sameBytes,
  utf8,
} from './TraceByteDecoder.js';
import { idSlotBytes } from './StatsCollector.js';

/** Slots of the cache of name bytes to name figures (a power of two). */
const nameSlots = 4096;
/** Longest name kept in that cache. */
const nameCacheLongest = 256;
const fnvPrime = 16777619;
const fnvBasis = 0x811c9dc5 | 0;

/** A literal compared four bytes at a time (the last word overlapping). */
type Literal = { len: number; words: Int32Array };

function literal(text: string): Literal {
  const b = Buffer.from(text, 'latin1');
  const words = new Int32Array(Math.ceil(b.length / 4));
  for (let i = 0; i < words.length; i++) {
    words[i] = b.readInt32LE(Math.min(i * 4, b.length - 4));
  }
  return { len: b.length, words };
}

/** The offset after `k` at `p` (which must fit before `n`), or -1. */
function litAt(v: DataView, p: number, n: number, k: Literal): number {
  const len = k.len;
  if (p + len > n) return -1;
  const w = k.words;
  const last = w.length - 1;
  for (let i = 0; i < last; i++) {
    if (v.getInt32(p + i * 4, true) !== w[i]) return -1;
  }
  return v.getInt32(p + len - 4, true) === w[last] ? p + len : -1;
}

/** 1 for each pair of bytes (little-endian) that are lowercase hex digits. */
const hexPair = new Uint8Array(65536);
for (const a of '0123456789abcdef') {
  for (const b of '0123456789abcdef') {
    hexPair[a.charCodeAt(0) | (b.charCodeAt(0) << 8)] = 1;
  }
}

/** Whether the `count` (even) bytes at `p` are lowercase hex digits. */
function hexAt(v: DataView, p: number, n: number, count: number): boolean {
  if (p + count > n) return false;
  let ok = 1;
  for (let i = 0; i < count; i += 2) ok &= hexPair[v.getUint16(p + i, true)];
  return ok === 1;
}

const spanHead = literal('{"type":"span","traceId":"');
const spanIdKey = literal('","spanId":"');
const parentKey = literal(',"parentId":"');
const nameKey = literal(',"name":"');
const kindKey = literal(',"kind":');
const startKey = literal(',"startTime":');
const durationKey = literal(',"duration":');
const statusKey = literal(',"status":{"code":');
const messageKey = literal(',"message":"');
const kindZeroStart = literal('","kind":0,"startTime":');
const statusUnset = literal(',"status":{"code":0}');
const attributesKey = literal(',"attributes":');
/** What the writer's span with no attributes, events or links ends with. */
const plainTail = literal(',"attributes":{},"events":[],"links":[]}');
const noEventsTail = literal(',"events":[],"links":[]}');
const eventsKey = literal(',"events":');
const linksKey = literal(',"links":');
/** Bytes of the head, trace id, span id key, span id and its quote. */
const headLength = spanHead.len + 32 + spanIdKey.len + 32 + 1;

/**
 * {@link TraceByteDecoder} for a {@link StatsCollector} (`details: false`):
 * a `span` line in the writer's layout goes straight from the bytes into
 * the collector's figures, without a record, an id string or a name string
 * (names are found by their bytes; a span id is built only when a held or
 * open start may have it). It accepts exactly the lines the byte decoder's
 * own fast path accepts, with the same checks (fixed parts compared four
 * bytes at a time), so the figures are the same; any other line takes the
 * byte decoder's path.
 */
class StatsByteDecoder extends TraceByteDecoder {
  protected stats: StatsCollector;
  protected nameHash: Int32Array = new Int32Array(nameSlots);
  protected nameKeys: Array<Uint8Array | undefined> = new Array(nameSlots);
  protected nameEntries: Array<NameEntry | undefined> = new Array(nameSlots);
  /** A view of the chunk being scanned, for reading four bytes at once. */
  protected view: DataView = new DataView(new ArrayBuffer(0));
  protected viewOf: Uint8Array | undefined;
  /** The last trace id taken, as words and as a string ('' for none). */
  protected traceWords: Int32Array = new Int32Array(8);
  protected traceText: string = '';

  public constructor(
    file: string,
    sink: StatsCollector,
    issues: ReadIssues,
    options: ParseOptions & { offset?: number } = {},
  ) {
    super(file, sink, issues, options);
    this.stats = sink;
  }

  protected override scan(buf: Uint8Array, start: number): number {
    if (this.details) return -1;
    const n = buf.length;
    if (start + headLength > n) return -1;
    if (buf !== this.viewOf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewOf = buf;
    }
    const v = this.view;
    let p = litAt(v, start, n, spanHead);
    if (p < 0) return -1;
    const t = p;
    // The trace id of the previous span line (already checked) is common.
    let sameTrace = this.traceText !== '';
    if (sameTrace) {
      const w = this.traceWords;
      for (let i = 0; i < 8; i++) {
        if (v.getInt32(t + i * 4, true) !== w[i]) {
          sameTrace = false;
          break;
        }
      }
    }
    if (!sameTrace && !hexAt(v, t, n, 32)) return -1;
    p = litAt(v, t + 32, n, spanIdKey);
    const s = p;
    if (p < 0 || !hexAt(v, s, n, 32) || buf[s + 32] !== 34) return -1;
    p = s + 33;
    let rank = 0;
    const pa = litAt(v, p, n, parentKey);
    if (pa >= 0) {
      if (hexAt(v, pa, n, 32) && buf[pa + 32] === 34) {
        rank = 2;
        p = pa + 33;
      } else if (hexAt(v, pa, n, 16) && buf[pa + 16] === 34) {
        rank = 1;
        p = pa + 17;
      } else {
        return -1;
      }
    }
    p = litAt(v, p, n, nameKey);
    if (p < 0) return -1;
    // The name, as strEnd(false) reads it, hashed (FNV-1a) on the way.
    const nameStart = p;
    let h = fnvBasis;
    for (;;) {
      if (p >= n) return -1;
      const c = buf[p];
      if (c === 34) break;
      if (c < 32 || c === 92) return -1;
      h = Math.imul(h ^ c, fnvPrime);
      p++;
    }
    const nameEnd = p;
    this.b = buf;
    // Kind 0 (internal) is the common one: one literal up to the start.
    this.p = litAt(v, p, n, kindZeroStart);
    if (this.p < 0) {
      p = litAt(v, p + 1, n, kindKey);
      if (p < 0) return -1;
      this.p = p;
      if (this.uint() < 0) return -1;
      p = litAt(v, this.p, n, startKey);
      if (p < 0) return -1;
      this.p = p;
    }
    const startTime = this.uint();
    if (startTime < 0) return -1;
    p = litAt(v, this.p, n, durationKey);
    if (p < 0) return -1;
    this.p = p;
    const duration = this.uint();
    if (duration < 0) return -1;
    // Status unset, with no message, is the common one.
    let code = 0;
    p = litAt(v, this.p, n, statusUnset);
    if (p < 0) {
      p = litAt(v, this.p, n, statusKey);
      if (p < 0) return -1;
      this.p = p;
      code = this.uint();
      if (code < 0) return -1;
      p = this.p;
      if (buf[p] === 44) {
        p = litAt(v, p, n, messageKey);
        if (p < 0) return -1;
        this.p = p;
        if (this.strEnd(false) < 0) return -1;
        p = this.p;
      }
      if (buf[p++] !== 125) return -1;
    }
    const tail = litAt(v, p, n, plainTail);
    if (tail >= 0) {
      p = tail;
    } else {
      p = this.detailsEnd(v, p, n);
      if (p < 0) return -1;
    }
    while (buf[p] === 32 || buf[p] === 13) p++;
    if (buf[p] !== 10) return -1;
    // The line is taken: from here on only figures change.
    this.lineNo++;
    this.records++;
    let traceId = this.traceText;
    if (!sameTrace) {
      const w = this.traceWords;
      for (let i = 0; i < 8; i++) w[i] = v.getInt32(t + i * 4, true);
      traceId = latin1.call(buf, t, t + 32);
      this.traceText = traceId;
    }
    const slot = idSlotBytes(buf, s + 32);
    this.stats.finishedSpan(
      this.nameEntryAt(buf, nameStart, nameEnd, h),
      traceId,
      this.stats.mayHold(slot) ? latin1.call(buf, s, s + 32) : undefined,
      startTime,
      duration,
      code === 2,
      rank,
    );
    return p;
  }

  /**
   * The attributes, events and links of a span line and its closing brace,
   * from `p` at the attributes key: the offset after them, or -1.
   */
  protected detailsEnd(v: DataView, p: number, n: number): number {
    const buf = this.b;
    p = litAt(v, p, n, attributesKey);
    if (p < 0) return -1;
    this.p = p;
    if (!this.flatObject() && !this.skipFrom(p)) return -1;
    p = litAt(v, this.p, n, noEventsTail);
    if (p >= 0) return p;
    p = litAt(v, this.p, n, eventsKey);
    if (p < 0) return -1;
    this.p = p;
    if (!this.skip()) return -1;
    p = litAt(v, this.p, n, linksKey);
    if (p < 0) return -1;
    this.p = p;
    if (!this.skip()) return -1;
    return buf[this.p] === 125 ? this.p + 1 : -1;
  }

  /** {@link TraceByteDecoder.skip} from `p`. */
  protected skipFrom(p: number): boolean {
    this.p = p;
    return this.skip();
  }

  /**
   * An object of keys to strings, numbers, booleans and nulls at the
   * cursor (what attributes mostly are), skipped without the general
   * skipper's stack; false (cursor anywhere) for anything else, which the
   * general skipper then decides.
   */
  protected flatObject(): boolean {
    const b = this.b;
    if (b[this.p] !== 123) return false;
    this.p++;
    if (b[this.p] === 125) {
      this.p++;
      return true;
    }
    for (;;) {
      if (!this.key() || !this.scalar(b[this.p])) return false;
      const d = b[this.p++];
      if (d === 125) return true;
      if (d !== 44) return false;
    }
  }

  /** The figures of the name in `buf[start, end)` with hash `h`. */
  protected nameEntryAt(
    buf: Uint8Array,
    start: number,
    end: number,
    h: number,
  ): NameEntry {
    const slot = (h ^ (h >>> 16)) & (nameSlots - 1);
    const len = end - start;
    const key = this.nameKeys[slot];
    if (
      key !== undefined &&
      this.nameHash[slot] === h &&
      key.length === len &&
      sameBytes(buf, start, key, len)
    ) {
      return this.nameEntries[slot]!;
    }
    // Invalid UTF-8 decodes as the other paths decode it; two byte
    // sequences that decode alike share the collector's entry.
    const entry = this.stats.nameEntry(utf8.call(buf, start, end));
    if (len <= nameCacheLongest) {
      this.nameKeys[slot] = Buffer.from(buf.subarray(start, end));
      this.nameHash[slot] = h;
      this.nameEntries[slot] = entry;
    }
    return entry;
  }
}

export default StatsByteDecoder;
