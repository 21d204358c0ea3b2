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
      // a copy, as the kernel takes one (a Buffer's slice() is a view)
      received.push(Uint8Array.from(taken));
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

  test('writeSync that empties a pending retry tells the output it drained', () => {
    // write() tries the string, then the bytes: both meet a full pipe
    const { fs, text } = fakeFs(1000, new Set([0, 1]));
    let drains = 0;
    const sink = new FdSink(fs as any, 9, false, {
      drain: () => drains++,
      fail: () => {},
    });
    expect(sink.write('held ')).toBe(false);
    sink.writeSync('then this');
    expect(drains).toBe(1);
    expect(text()).toBe('held then this');
    sink.close();
  });

  test('a write while a retry holds bytes queues behind them', async () => {
    const { fs, text } = fakeFs(1000, new Set([0, 1]));
    let drains = 0;
    const sink = new FdSink(fs as any, 9, false, {
      drain: () => drains++,
      fail: () => {},
    });
    expect(sink.write('first ')).toBe(false);
    expect(sink.write('second')).toBe(false);
    while (drains === 0) await new Promise((r) => setTimeout(r, 2));
    expect(text()).toBe('first second');
    sink.close();
  });

  test('a reader that never reads: writeSync gives up after its bounded wait and keeps the rest for the retry', async () => {
    let open = false;
    const received: Array<string> = [];
    const fs = {
      writeSync(_fd: number, data: string | Uint8Array, offset?: number) {
        if (!open) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
        const bytes =
          typeof data === 'string'
            ? new TextEncoder().encode(data)
            : data.subarray(offset ?? 0);
        received.push(new TextDecoder().decode(bytes));
        return bytes.length;
      },
      closeSync() {},
    };
    let drains = 0;
    const sink = new FdSink(fs as any, 9, false, {
      drain: () => drains++,
      fail: () => {},
    });
    const started = Date.now();
    sink.writeSync('kept');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(received).toEqual([]);
    open = true;
    while (drains === 0) await new Promise((r) => setTimeout(r, 2));
    expect(received.join('')).toBe('kept');
    sink.close();
  });
});
