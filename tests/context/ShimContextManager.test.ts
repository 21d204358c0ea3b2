import { describe, expect, test } from '@jest/globals';
import { PromiseCancellable } from '@matrixai/async-cancellable';
import ShimContextManager from '../../src/context/ShimContextManager.js';
import { Tracer } from '../../src/index.js';
import { contextLostAttribute } from '../../src/context/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ShimContextManager', () => {
  test('a synchronous stack, restored after a throw', () => {
    const shim = new ShimContextManager();
    const a = { traceId: 'a'.repeat(32), spanId: 'a'.repeat(32) };
    const b = { traceId: 'b'.repeat(32), spanId: 'b'.repeat(32) };
    expect(shim.active()).toBeUndefined();
    shim.with(a, () => {
      expect(shim.active()).toBe(a);
      expect(() =>
        shim.with(b, () => {
          expect(shim.active()).toBe(b);
          throw new Error('x');
        }),
      ).toThrow('x');
      expect(shim.active()).toBe(a);
      shim.with(undefined, () => expect(shim.active()).toBeUndefined());
      expect(shim.active()).toBe(a);
    });
    expect(shim.active()).toBeUndefined();
  });

  test('passes this and arguments', () => {
    const shim = new ShimContextManager();
    const self = {};
    expect(
      shim.with(
        undefined,
        function (this: unknown, x: number, y: number) {
          return [this, x + y];
        },
        self,
        [1, 2],
      ),
    ).toEqual([self, 3]);
  });

  test('continuations after await see no span (never a stale one)', async () => {
    const shim = new ShimContextManager();
    const a = { traceId: 'a'.repeat(32), spanId: 'a'.repeat(32) };
    const seen: Array<unknown> = [];
    await shim.with(a, async () => {
      seen.push(shim.active());
      await null;
      seen.push(shim.active());
      await sleep(1);
      seen.push(shim.active());
    });
    expect(seen).toEqual([a, undefined, undefined]);
  });

  test('lost() while async work run with a span is pending', async () => {
    const shim = new ShimContextManager();
    const a = { traceId: 'a'.repeat(32), spanId: 'a'.repeat(32) };
    expect(shim.lost()).toBe(false);
    let release!: () => void;
    const p = shim.with(a, () => new Promise<void>((r) => (release = r)));
    expect(shim.lost()).toBe(true);
    // inside a with the context is known, even when it is empty
    expect(shim.with(undefined, () => shim.lost())).toBe(false);
    expect(shim.with(a, () => shim.lost())).toBe(false);
    // a callback bound while the context is lost stays "lost" when run
    const boundLost = shim.bind(() => shim.lost());
    const boundKnown = shim.with(undefined, () => shim.bind(() => shim.lost()));
    expect(boundLost()).toBe(true);
    expect(boundKnown()).toBe(false);
    release();
    await p;
    expect(shim.lost()).toBe(false);
    // rejections count down too
    const q = shim.with(a, async () => {
      await null;
      throw new Error('no');
    });
    expect(shim.lost()).toBe(true);
    await expect(q).rejects.toThrow('no');
    expect(shim.lost()).toBe(false);
    // without a span nothing is tracked
    const r = shim.with(undefined, () => sleep(1));
    expect(shim.lost()).toBe(false);
    await r;
  });

  test('a native promise is chained and settles the same way', async () => {
    const shim = new ShimContextManager();
    const a = { traceId: 'a'.repeat(32), spanId: 'a'.repeat(32) };
    const error = { not: 'an Error' };
    const value = { v: 1 };
    await expect(shim.with(a, async () => value)).resolves.toBe(value);
    await expect(shim.with(a, () => Promise.reject(error))).rejects.toBe(error);
  });

  test('other thenables are returned as they are (cancel keeps working)', async () => {
    const shim = new ShimContextManager();
    const a = { traceId: 'a'.repeat(32), spanId: 'a'.repeat(32) };
    let aborted = false;
    const pc = new PromiseCancellable<void>((_res, rej, signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        rej(signal.reason);
      });
    });
    expect(shim.with(a, () => pc)).toBe(pc);
    expect(shim.lost()).toBe(true);
    pc.cancel('stop');
    await expect(pc).rejects.toBe('stop');
    expect(aborted).toBe(true);
    expect(shim.lost()).toBe(false);
    // a thenable whose then throws is returned as it is, not counted: the
    // call succeeded, and the shim must not turn it into a throw
    const broken = {
      then() {
        throw new Error('broken then');
      },
    };
    expect(shim.with(a, () => broken)).toBe(broken);
    expect(shim.lost()).toBe(false);
  });
});

describe('lost context under the shim', () => {
  function recorder() {
    const ended: Array<any> = [];
    return {
      ended,
      onStart() {},
      onEnd(s: any) {
        ended.push(s);
      },
      flush: async () => {},
      flushSync() {},
      close: async () => {},
    };
  }

  test('roots started after an await are marked; exact spans are not', async () => {
    const rec = recorder();
    const tracer = new Tracer({ context: 'shim', output: rec });
    await tracer.startActiveSpan('parent', async () => {
      tracer.startSpan('before').end();
      await sleep(1);
      tracer.startSpan('after').end();
      // an explicit null parent asks for a root: not lost
      tracer.startSpan('explicitRoot', { parent: null }).end();
      tracer.startActiveSpan('sync', () => tracer.startSpan('nested').end());
    });
    tracer.startSpan('later').end();
    const by = Object.fromEntries(rec.ended.map((s) => [s.name, s]));
    const lost = (n: string) => by[n].attributes?.[contextLostAttribute];
    expect(by.before.parentId).toBe(by.parent.spanId);
    expect(lost('before')).toBeUndefined();
    expect(by.after.parentId).toBeUndefined();
    expect(lost('after')).toBe(true);
    expect(lost('explicitRoot')).toBeUndefined();
    expect(lost('sync')).toBe(true);
    expect(by.nested.parentId).toBe(by.sync.spanId);
    expect(lost('nested')).toBeUndefined();
    // nothing pending any more
    expect(lost('later')).toBeUndefined();
    expect(contextLostAttribute).toBe('spantrail.context.lost');
  });

  test('ALS never marks anything', async () => {
    const rec = recorder();
    const tracer = new Tracer({ context: 'als', output: rec });
    await tracer.startActiveSpan('parent', async () => {
      await sleep(1);
      tracer.startSpan('after').end();
      setTimeout(() => tracer.startSpan('timer', { parent: null }).end(), 0);
      await sleep(2);
    });
    for (const s of rec.ended) {
      expect(s.attributes?.[contextLostAttribute]).toBeUndefined();
    }
    expect(rec.ended.map((s) => s.name).sort()).toEqual([
      'after',
      'parent',
      'timer',
    ]);
  });
});
