import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import idMod from '@matrixai/id';
import IdGenerator, { fillRandom, xorshift128 } from '../src/IdGenerator.js';
import { fcParams } from './utils/fc.js';

// @matrixai/id is the oracle: its own decoders must read our ids
const { IdSortable, utils: idUtils } = idMod as any;
const { extractTs, extractSeq } =
  (await import('@matrixai/id/dist/IdSortable.js')) as any;

function bytesOf(hex: string): Uint8Array {
  return idUtils.hex2bytes(hex);
}

describe('IdGenerator', () => {
  test('ids are 32 lowercase hex characters with version 7 and variant 10', () => {
    const ids = new IdGenerator();
    for (let i = 0; i < 1000; i++) {
      const id = ids.next();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id[12]).toBe('7');
      expect(parseInt(id[16], 16) >> 2).toBe(0b10);
    }
  });

  test('any number given as the clock reading still makes a valid id', () => {
    const ids = new IdGenerator();
    const odd = [Infinity, -Infinity, NaN, -0, -1e15, 1e20, Number.MAX_VALUE];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...odd), fc.double(), fc.integer()),
        (now) => {
          const before = Date.now();
          const id = ids.next(now);
          expect(id).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
          const ts = extractTs(bytesOf(id)) * 1000;
          expect(ts).toBeGreaterThanOrEqual(0);
          if (!(performance.timeOrigin + now >= 0) || now > 1e14) {
            // not a time the id can hold: the clock is read instead
            expect(ts).toBeGreaterThanOrEqual(before - 1);
          }
        },
      ),
      fcParams(),
    );
  });

  test('@matrixai/id recovers the time and sequence of our ids', () => {
    const ids = new IdGenerator();
    const before = Date.now();
    const batch = Array.from({ length: 50 }, () => ids.next());
    const after = Date.now();
    let expectedSeq = 0;
    let lastPrefix = '';
    for (const id of batch) {
      const ts = extractTs(bytesOf(id)) * 1000;
      expect(ts).toBeGreaterThanOrEqual(before - 1);
      expect(ts).toBeLessThanOrEqual(after + 1);
      const prefix = id.slice(0, 12);
      expectedSeq = prefix === lastPrefix ? expectedSeq + 1 : 0;
      lastPrefix = prefix;
      expect(extractSeq(bytesOf(id))).toBe(expectedSeq);
    }
  });

  test('time round-trips through extractTs for arbitrary clock readings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (offsetMs) => {
        const ids = new IdGenerator();
        const perfNow = offsetMs - performance.timeOrigin + 1_700_000_000_000;
        const id = ids.next(perfNow);
        const expectedMs = Math.floor(performance.timeOrigin + perfNow);
        const ts = extractTs(bytesOf(id));
        expect(Math.round(ts * 1000)).toBe(expectedMs);
      }),
      fcParams({ numRuns: 500 }),
    );
  });

  test('ids of ours and IdSortable interleave in time order', async () => {
    const ours = new IdGenerator();
    const theirs = new IdSortable();
    const generated: Array<string> = [];
    for (let i = 0; i < 20; i++) {
      generated.push(ours.next());
      await new Promise((r) => setTimeout(r, 2));
      generated.push(idUtils.bytes2hex(theirs.get()));
      await new Promise((r) => setTimeout(r, 2));
    }
    // 2 ms apart, so the 48-bit time prefix alone orders them
    const sorted = [...generated].sort();
    expect(sorted).toEqual(generated);
    // and the layouts agree bit for bit in the fixed fields
    const theirId = idUtils.bytes2hex(theirs.get());
    expect(theirId[12]).toBe('7');
    expect(parseInt(theirId[16], 16) >> 2).toBe(0b10);
  });

  test('ids from one generator are unique and strictly increasing, even past 4096 per millisecond', () => {
    const ids = new IdGenerator();
    const frozen = performance.now();
    let previous = '';
    const seen = new Set<string>();
    for (let i = 0; i < 10000; i++) {
      const id = ids.next(frozen);
      expect(id > previous).toBe(true);
      previous = id;
      seen.add(id);
    }
    expect(seen.size).toBe(10000);
  });

  test('randomness comes from the injected source in 62-bit chunks', () => {
    const ones = new IdGenerator((buffer) => buffer.fill(0xff));
    expect(ones.next().slice(16)).toBe('bfffffffffffffff');
    const zeros = new IdGenerator((buffer) => buffer.fill(0));
    expect(zeros.next().slice(16)).toBe('8000000000000000');
    let refills = 0;
    let state = 12345;
    const counted = new IdGenerator((buffer) => {
      refills++;
      for (let i = 0; i < buffer.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        buffer[i] = state >>> 24;
      }
    });
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(counted.next().slice(17));
    // every id takes fresh bytes: none reused within or across refills
    expect(seen.size).toBe(2000);
    expect(refills).toBe(Math.ceil(2000 / 512));
  });

  test('the default source gives distinct words with every bit set about half the time', () => {
    const words = new Uint32Array(1 << 16);
    fillRandom(new Uint8Array(words.buffer));
    // about half a repeated pair is expected among 65,536 words; 10 or more
    // happens about once in 5 billion runs
    expect(new Set(words).size).toBeGreaterThan(words.length - 10);
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (const word of words) ones += (word >>> bit) & 1;
      // 65,536 fair coins: 6 standard deviations is 768
      expect(Math.abs(ones - words.length / 2)).toBeLessThan(768);
    }
    // the next fill continues the sequence rather than repeating it
    const next = new Uint32Array(words.length);
    fillRandom(new Uint8Array(next.buffer));
    expect(next).not.toEqual(words);
  });

  test('xorshift128 gives the reference sequence, the same in one fill or in several', () => {
    // Marsaglia's seeds and his generator's first outputs
    const seed = [123456789, 362436069, 521288629, 88675123];
    const expected = [
      3701687786, 458299110, 2500872618, 3633119408, 516391518, 2377269574,
    ];
    const once = new Uint32Array(6);
    xorshift128(Uint32Array.from(seed), once);
    expect([...once]).toEqual(expected);
    const state = Uint32Array.from(seed);
    const first = new Uint32Array(3);
    const second = new Uint32Array(3);
    xorshift128(state, first);
    xorshift128(state, second);
    expect([...first, ...second]).toEqual(expected);
  });
});
