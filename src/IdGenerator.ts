import { timeOrigin } from './utils.js';

const hexByte: Array<string> = [];
for (let i = 0; i < 256; i++) hexByte.push(i.toString(16).padStart(2, '0'));

// '7' is the version nibble; the 12-bit sequence follows it
const versionSeq: Array<string> = [];
for (let i = 0; i < 4096; i++)
  versionSeq.push('7' + i.toString(16).padStart(3, '0'));

const poolSize = 2048;

function hex32(n: number): string {
  return (
    hexByte[n >>> 24] +
    hexByte[(n >>> 16) & 0xff] +
    hexByte[(n >>> 8) & 0xff] +
    hexByte[n & 0xff]
  );
}

/**
 * Generates ids in the IdSortable layout of `@matrixai/id` (36-bit unix
 * seconds, 12-bit millisecond fraction, version 7, 12-bit sequence, variant
 * `10`, 62 random bits) as 32 hex characters, without its bit strings.
 *
 * The time prefix is cached per millisecond and randomness is drawn from a
 * pool, so an id costs a few string concatenations. When more than 4096 ids
 * are made in one millisecond tick, the tick is advanced rather than letting
 * the sequence wrap, so ids made by one generator always sort in order.
 */
class IdGenerator {
  protected lastTick = -1;
  protected seq = 0;
  protected prefix = '';
  protected pool = new Uint32Array(poolSize);
  protected poolIndex = poolSize;
  protected random: (buffer: Uint32Array) => void;

  public constructor(random?: (buffer: Uint32Array) => void) {
    this.random =
      random ?? ((buffer) => globalThis.crypto.getRandomValues(buffer));
  }

  /**
   * A new id. `perfNow` is a `performance.now()` reading the caller already
   * has; it is read here when not given.
   */
  public next(perfNow: number = performance.now()): string {
    const epochMs = Math.floor(timeOrigin + perfNow);
    const seconds = Math.floor(epochMs / 1000);
    // 12-bit fixed-point fraction of the second, as IdSortable encodes it
    let tick =
      seconds * 4096 + Math.floor(((epochMs - seconds * 1000) * 4096) / 1000);
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
    if (this.poolIndex >= poolSize) {
      this.random(this.pool);
      this.poolIndex = 0;
    }
    const r1 = this.pool[this.poolIndex++];
    const r2 = this.pool[this.poolIndex++];
    // variant bits 10, then 62 random bits
    return (
      this.prefix +
      versionSeq[this.seq] +
      hex32(((r1 >>> 2) | 0x80000000) >>> 0) +
      hex32(r2)
    );
  }
}

export default IdGenerator;
