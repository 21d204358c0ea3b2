import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import FdSink from '../../src/output/FdSink.js';
import { fcParams } from '../utils/fc.js';

/**
 * A file descriptor that takes at most `max` bytes a call and answers
 * EAGAIN on the calls listed in `again`, like a full non-blocking pipe.
 */
function fakeFs(max: number, again: Set<number>) {
  const received: Array<Uint8Array> = [];
  let calls = 0;
  const fs = {
    writeSync(_fd: number, data: string | Uint8Array, offset?: number) {
      if (again.has(calls++)) {
        throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
      }
      const bytes =
        typeof data === 'string'
          ? new TextEncoder().encode(data)
          : data.subarray(offset ?? 0);
      const taken = bytes.subarray(0, max);
      received.push(taken.slice());
      return taken.length;
    },
    closeSync() {},
  };
  const text = () => Buffer.concat(received).toString('utf8');
  return { fs, text };
}

describe('FdSink', () => {
  test('short writes and EAGAIN lose and repeat nothing, multi-byte text included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', minLength: 1 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 64 }),
        fc.uniqueArray(fc.nat(20), { maxLength: 6 }),
        async (chunks, max, againCalls) => {
          const { fs, text } = fakeFs(max, new Set(againCalls));
          let drains = 0;
          const sink = new FdSink(fs as any, 9, false, {
            drain: () => drains++,
            fail: (e) => {
              throw e;
            },
          });
          for (const chunk of chunks) {
            // an output hands on nothing more until the sink drains
            if (!sink.write(chunk)) {
              const before = drains;
              while (drains === before) {
                await new Promise((r) => setTimeout(r, 1));
              }
            }
          }
          expect(text()).toBe(chunks.join(''));
        },
      ),
      fcParams({ numRuns: 40 }),
    );
  });

  test('writeSync writes what a retry still held, then the new chunk', () => {
    const { fs, text } = fakeFs(3, new Set([1]));
    const sink = new FdSink(fs as any, 9, false, {
      drain: () => {},
      fail: () => {},
    });
    expect(sink.write('ünïcödé')).toBe(false);
    sink.writeSync(' and more');
    sink.close();
    expect(text()).toBe('ünïcödé and more');
  });
});
