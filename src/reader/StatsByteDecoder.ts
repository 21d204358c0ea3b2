import type { ReadIssues } from './types.js';
import type { ParseOptions } from '../format/parse.js';
import type StatsCollector from './StatsCollector.js';
import type { NameEntry } from './StatsCollector.js';
import TraceByteDecoder, {
  attributesKey,
  durationKey,
  eventsKey,
  kindKey,
  latin1,
  linksKey,
  messageKey,
  nameKey,
  parentKey,
  sameBytes,
  spanHead,
  spanIdKey,
  startKey,
  statusKey,
  utf8,
} from './TraceByteDecoder.js';
import { idSlotBytes } from './StatsCollector.js';

/** Slots of the cache of name bytes to name figures (a power of two). */
const nameSlots = 4096;
/** Longest name kept in that cache. */
const nameCacheLongest = 256;
const fnvPrime = 16777619;
const fnvBasis = 0x811c9dc5 | 0;

/**
 * {@link TraceByteDecoder} for a {@link StatsCollector} (`details: false`):
 * a `span` line in the writer's layout goes straight from the bytes into
 * the collector's figures, without a record, an id string or a name string
 * (names are found by their bytes; a span id is built only when a held or
 * open start may have it). The checks are those of the byte decoder's own
 * fast path, so the figures are the same; any other line takes the byte
 * decoder's path.
 */
class StatsByteDecoder extends TraceByteDecoder {
  protected stats: StatsCollector;
  protected fast: boolean;
  protected nameHash: Int32Array = new Int32Array(nameSlots);
  protected nameKeys: Array<Uint8Array | undefined> = new Array(nameSlots);
  protected nameEntries: Array<NameEntry | undefined> = new Array(nameSlots);

  public constructor(
    file: string,
    sink: StatsCollector,
    issues: ReadIssues,
    options: ParseOptions & { offset?: number } = {},
  ) {
    super(file, sink, issues, options);
    this.stats = sink;
    this.fast = options.details === false;
  }

  protected override scan(buf: Uint8Array, start: number): number {
    if (!this.fast) return -1;
    this.b = buf;
    this.p = start;
    if (!this.lit(spanHead)) return -1;
    const t = this.p;
    const sameTrace = this.sameTrace(buf, t);
    if (sameTrace) this.p += 32;
    else if (this.hex(32) < 0) return -1;
    if (!this.lit(spanIdKey)) return -1;
    const s = this.hex(32);
    if (s < 0 || buf[this.p++] !== 34) return -1;
    let rank = 0;
    if (this.lit(parentKey)) {
      let pa = this.hex(32);
      rank = 2;
      if (pa < 0 || buf[this.p] !== 34) {
        this.p = pa < 0 ? this.p : pa;
        pa = this.hex(16);
        rank = 1;
      }
      if (pa < 0 || buf[this.p++] !== 34) return -1;
    }
    if (!this.lit(nameKey)) return -1;
    // The name, as strEnd(false) reads it, hashed (FNV-1a) on the way.
    const nameStart = this.p;
    const n = buf.length;
    let p = nameStart;
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
    this.p = p + 1;
    if (!this.lit(kindKey) || this.uint() < 0) return -1;
    if (!this.lit(startKey)) return -1;
    const startTime = this.uint();
    if (startTime < 0 || !this.lit(durationKey)) return -1;
    const duration = this.uint();
    if (duration < 0 || !this.lit(statusKey)) return -1;
    const code = this.uint();
    if (code < 0) return -1;
    if (this.lit(messageKey) && this.strEnd(false) < 0) return -1;
    if (buf[this.p++] !== 125) return -1;
    if (!this.lit(attributesKey) || !this.skip()) return -1;
    if (!this.lit(eventsKey) || !this.skip()) return -1;
    if (!this.lit(linksKey) || !this.skip()) return -1;
    if (buf[this.p++] !== 125) return -1;
    p = this.p;
    while (buf[p] === 32 || buf[p] === 13) p++;
    if (buf[p] !== 10) return -1;
    // The line is taken: from here on only figures change.
    this.lineNo++;
    this.records++;
    const traceId = sameTrace ? this.lastTraceId : this.traceIdAt(buf, t);
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
