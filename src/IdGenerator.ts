import { maxEpochMs, perfNow, timeOrigin } from './utils/time.js';

// '7' is the version nibble; the 12-bit sequence follows it
const versionSeq: Array<string> = [];
for (let i = 0; i < 4096; i++) {
  versionSeq.push('7' + i.toString(16).padStart(3, '0'));
}
/** Variant bits `10` over the first random byte's top two bits. */
const variantMask = 0x3f;
const variantBits = 0x80;
const idRandomBytes = 8;

const hexByte: Array<string> = [];
for (let i = 0; i < 256; i++) hexByte.push(i.toString(16).padStart(2, '0'));

/**
 * The 48-bit time field of an IdSortable id for an epoch time in
 * milliseconds: whole seconds, then the 12-bit fixed-point fraction of the
 * second, as `@matrixai/id` encodes it.
 */
function sortableTick(epochMs: number): number {
  const ms = Math.floor(epochMs);
  const seconds = Math.floor(ms / 1000);
  return seconds * 4096 + Math.floor(((ms - seconds * 1000) * 4096) / 1000);
}

const uint32Range = 2 ** 32;

/** xorshift128's state, seeded from `Math.random` at each fill. */
const xorshiftState = new Uint32Array(4);
/** The word of the state the next fill mixes fresh bits into. */
let seedWord = 0;

/**
 * Fills `words` from Marsaglia's xorshift128 and advances `state` (four
 * 32-bit words, not all zero) past them.
 */
function xorshift128(state: Uint32Array, words: Uint32Array): void {
  let x = state[0];
  let y = state[1];
  let z = state[2];
  let w = state[3];
  for (let i = 0; i < words.length; i++) {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = w ^ (w >>> 19) ^ (t ^ (t >>> 8));
    words[i] = w;
  }
  state[0] = x;
  state[1] = y;
  state[2] = z;
  state[3] = w;
}

/**
 * Fills `buffer` (whole 32-bit words of it) from xorshift128, with 32 bits
 * of `Math.random` (V8 seeds that from the operating system) mixed into its
 * state at each fill, so that processes started from one snapshot of the
 * heap do not share a sequence. Ids need to be unique, not secret, as
 * OpenTelemetry's own id generator reasons. Unlike `crypto.getRandomValues`,
 * whose first call sets up the crypto library (milliseconds, a false gap in
 * the first trace of every process), it costs the same on the first span as
 * on the next, and a word costs a third of a `Math.random` call.
 */
function fillRandom(buffer: Uint8Array): void {
  const state = xorshiftState;
  state[seedWord] ^= Math.random() * uint32Range;
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[3] = 1;
  xorshift128(
    state,
    new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength >>> 2),
  );
  seedWord = (seedWord + 1) & 3;
}

/** Ids drawn from one refill of the random pool. */
const idsPerRefill = 512;

function toHex(bytes: Uint8Array): string {
  const NodeBuffer = (globalThis as any).Buffer;
  if (NodeBuffer != null) {
    return NodeBuffer.from(
      bytes.buffer,
      bytes.byteOffset,
      bytes.length,
    ).toString('hex');
  }
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += hexByte[bytes[i]];
  return hex;
}

/**
 * Generates ids in the IdSortable layout of `@matrixai/id` (36-bit unix
 * seconds, 12-bit millisecond fraction, version 7, 12-bit sequence, variant
 * `10`, 62 random bits) as 32 hex characters, without its bit strings.
 *
 * The time prefix is cached per millisecond, and the random part is a slice
 * of a hex string made from 4 KiB of random bytes at a time, so an id costs
 * a few string operations. When more than 4096 ids are made in one
 * millisecond tick, the tick is advanced rather than letting the sequence
 * wrap, so ids made by one generator always sort in order.
 */
class IdGenerator {
  protected lastTick = -1;
  /** The epoch millisecond `msTick` was worked out for (none yet: NaN). */
  protected lastMs = NaN;
  protected msTick = -1;
  protected seq = 0;
  protected prefix = '';
  protected randomHex = '';
  protected randomBytes = new Uint8Array(idsPerRefill * idRandomBytes);
  protected offset = idsPerRefill * 16;
  protected random: (buffer: Uint8Array) => void;

  /**
   * `random` fills a buffer with random bytes; the default is
   * {@link fillRandom}. Pass `(b) => crypto.getRandomValues(b)` for ids
   * from a cryptographic source.
   */
  public constructor(random: (buffer: Uint8Array) => void = fillRandom) {
    this.random = random;
  }

  protected refill(): void {
    const bytes = this.randomBytes;
    this.random(bytes);
    // each id's random half begins with the variant, so that half is one
    // slice of the pool: fewer pieces for every line that writes the id
    for (let i = 0; i < bytes.length; i += idRandomBytes) {
      bytes[i] = (bytes[i] & variantMask) | variantBits;
    }
    this.randomHex = toHex(bytes);
    this.offset = 0;
  }

  /**
   * A new id. `now` is a `performance.now()` reading the caller already
   * has; it is read here when not given, or when it is not a time between
   * the epoch and the year 2255 (the id's time field holds no other).
   */
  public next(now: number = perfNow()): string {
    // a typeof test, not a conversion: a hostile value never runs here
    let ms = typeof now === 'number' ? Math.floor(timeOrigin + now) : NaN;
    if (!(ms >= 0 && ms <= maxEpochMs)) ms = Math.floor(timeOrigin + perfNow());
    // hundreds of ids share a millisecond: its tick is worked out once
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.msTick = sortableTick(ms);
    }
    let tick = this.msTick;
    if (tick <= this.lastTick) {
      tick = this.lastTick;
      if (++this.seq > 4095) {
        tick++;
        this.seq = 0;
      }
    } else {
      this.seq = 0;
    }
    if (tick !== this.lastTick) {
      this.lastTick = tick;
      this.prefix = tick.toString(16).padStart(12, '0');
    }
    if (this.offset >= this.randomHex.length) this.refill();
    const offset = this.offset;
    this.offset = offset + 16;
    return (
      this.prefix +
      versionSeq[this.seq] +
      this.randomHex.slice(offset, offset + 16)
    );
  }
}

export default IdGenerator;
export { sortableTick, fillRandom, xorshift128 };
