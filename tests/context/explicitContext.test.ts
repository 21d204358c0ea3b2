import type { ContextTimedInput } from '@matrixai/contexts/types.js';
import { beforeAll, describe, expect, test } from '@jest/globals';
import context from '@matrixai/contexts/decorators/context.js';
import timed from '@matrixai/contexts/decorators/timed.js';
import cancellable from '@matrixai/contexts/decorators/cancellable.js';
import { contexts } from '@matrixai/contexts/utils.js';
import { Timer } from '@matrixai/timer';
import { PromiseCancellable } from '@matrixai/async-cancellable';
import { Tracer } from '../../src/index.js';
import Span from '../../src/Span.js';
import traced from '../../src/decorators/traced.js';
import {
  contextSpanKey,
  contextsReady,
  getContextParameterIndex,
  registerContexts,
  spanFromContextObject,
  withContextSpan,
} from '../../src/context/explicitContext.js';

type Ctx = Partial<ContextTimedInput>;

function recorder() {
  const ended: Array<Span> = [];
  return {
    ended,
    onStart() {},
    onEnd(span: Span) {
      ended.push(span);
    },
    flush: async () => {},
    flushSync() {},
    close: async () => {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await contextsReady();
});

describe('context object helpers', () => {
  test('the key is the registered symbol spantrail.span', () => {
    expect(contextSpanKey).toBe(Symbol.for('spantrail.span'));
  });

  test('withContextSpan copies, keeps every own key, never mutates', () => {
    const tracer = new Tracer({ context: 'shim' });
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const other = Symbol('other');
    const signal = new AbortController().signal;
    const ctx = { signal, timer: 5, [other]: 1 };
    const withA = withContextSpan(ctx, a);
    expect(withA).not.toBe(ctx);
    expect(Object.getOwnPropertySymbols(ctx)).toEqual([other]);
    expect(withA.signal).toBe(signal);
    expect(withA.timer).toBe(5);
    expect((withA as any)[other]).toBe(1);
    expect(spanFromContextObject(withA)).toBe(a);
    // the copies @timed and @cancellable make keep it
    expect(spanFromContextObject({ ...withA })).toBe(a);
    const withB = withContextSpan(withA, b);
    expect(spanFromContextObject(withB)).toBe(b);
    expect(spanFromContextObject(withA)).toBe(a);
    // it stays out of JSON and string keys
    expect(JSON.stringify(withA)).toBe(JSON.stringify(ctx));
    expect(Object.keys(withA)).toEqual(['signal', 'timer']);
    expect(spanFromContextObject(withContextSpan(undefined, a))).toBe(a);
  });

  test('spanFromContextObject tolerates anything', () => {
    for (const v of [undefined, null, 1, 'x', {}, { [contextSpanKey]: 3 }]) {
      expect(spanFromContextObject(v)).toBeUndefined();
    }
    const remote = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    expect(spanFromContextObject({ [contextSpanKey]: remote })).toBe(remote);
  });

  test('finds the @context parameter index of the method as written', () => {
    class A {
      public m(_a: number, _b: string, @context _ctx?: Ctx): void {}
      public n(): void {}
    }
    expect(getContextParameterIndex(A.prototype.m)).toBe(2);
    expect(getContextParameterIndex(A.prototype.n)).toBeUndefined();
    expect(getContextParameterIndex(undefined)).toBeUndefined();
  });

  test('registerContexts adds a registry and rejects anything else', () => {
    const map = new WeakMap<object, number>();
    const f = () => {};
    map.set(f, 4);
    expect(getContextParameterIndex(f)).toBeUndefined();
    registerContexts(map);
    registerContexts(map);
    expect(getContextParameterIndex(f)).toBe(4);
    // the automatically loaded one is the instance the tests use
    registerContexts(contexts);
    expect(() => registerContexts({} as any)).toThrow(TypeError);
  });
});

/**
 * Classes whose traced methods take a `@context` parameter, with `@timed`
 * and `@cancellable` on either side of `@traced`. Every method awaits a
 * timer before calling on, so under the shim only the context object can
 * carry the parent.
 */
function makeService(tracer: Tracer) {
  const seen: Array<{ name: string; span: unknown; ctx: any }> = [];
  class Service {
    @traced({ tracer })
    @timed(10_000)
    public async tracedOverTimed(@context ctx?: Ctx): Promise<void> {
      seen.push({ name: 'tracedOverTimed', span: tracer.activeSpan(), ctx });
      await sleep(1);
      await this.timedOverTraced(ctx);
      await sleep(1);
      await this.tracedOverCancellable(ctx);
      await this.cancellableOverTraced(ctx);
      await this.plain(ctx);
    }

    @timed(10_000)
    @traced({ tracer })
    public async timedOverTraced(@context ctx?: Ctx): Promise<void> {
      seen.push({ name: 'timedOverTraced', span: tracer.activeSpan(), ctx });
      await sleep(1);
      await this.plain(ctx);
    }

    @traced({ tracer })
    @cancellable()
    public tracedOverCancellable(
      @context ctx?: Partial<{ signal: AbortSignal }>,
    ): PromiseLike<void> {
      seen.push({
        name: 'tracedOverCancellable',
        span: tracer.activeSpan(),
        ctx,
      });
      return PromiseCancellable.from(sleep(1).then(() => this.plain(ctx)));
    }

    @cancellable()
    @traced({ tracer })
    public cancellableOverTraced(
      @context ctx?: Partial<{ signal: AbortSignal }>,
    ): PromiseLike<void> {
      seen.push({
        name: 'cancellableOverTraced',
        span: tracer.activeSpan(),
        ctx,
      });
      return PromiseCancellable.from(sleep(1).then(() => this.plain(ctx)));
    }

    @traced({ tracer })
    public async plain(@context ctx?: Ctx): Promise<void> {
      seen.push({ name: 'plain', span: tracer.activeSpan(), ctx });
      await sleep(0);
    }
  }
  return { Service, seen };
}

describe.each(['als', 'shim'] as const)(
  'explicit context through @traced, @timed and @cancellable (%s)',
  (mode) => {
    test('each callee takes its parent from the context object', async () => {
      const rec = recorder();
      const tracer = new Tracer({ context: mode, output: rec });
      const { Service, seen } = makeService(tracer);
      const service = new Service();
      const callerCtx: Ctx = {};
      await service.tracedOverTimed(callerCtx);
      // the caller's object is left alone
      expect(Reflect.ownKeys(callerCtx)).toEqual([]);
      const byId = new Map(rec.ended.map((s) => [s.spanId, s]));
      const name = (s: Span) => s.name.replace(/^Service\./, '');
      const parentName = (s: Span) =>
        s.parentId === undefined ? undefined : name(byId.get(s.parentId)!);
      const tree = rec.ended
        .map((s) => `${parentName(s) ?? '-'} > ${name(s)}`)
        .sort();
      expect(tree).toEqual(
        [
          '- > tracedOverTimed',
          'tracedOverTimed > timedOverTraced',
          'timedOverTraced > plain',
          'tracedOverTimed > tracedOverCancellable',
          'tracedOverCancellable > plain',
          'tracedOverTimed > cancellableOverTraced',
          'cancellableOverTraced > plain',
          'tracedOverTimed > plain',
        ].sort(),
      );
      const root = rec.ended.find((s) => name(s) === 'tracedOverTimed')!;
      for (const s of rec.ended) expect(s.traceId).toBe(root.traceId);
      // inside each method: its own span in ctx (and active, synchronously),
      // and the signal (and timer) of @timed / @cancellable beside it
      for (const { name: n, span, ctx } of seen) {
        expect(span).toBeInstanceOf(Span);
        expect(spanFromContextObject(ctx)).toBe(span);
        expect(name(span as Span)).toBe(n);
        expect(ctx.signal).toBeInstanceOf(AbortSignal);
        if (n.includes('imed')) expect(ctx.timer).toBeInstanceOf(Timer);
      }
      expect(seen.length).toBe(8);
    });
  },
);

describe.each(['als', 'shim'] as const)(
  'cancelling a traced @cancellable method (%s)',
  (mode) => {
    test.each(['@traced @cancellable', '@cancellable @traced'])(
      '%s: cancel() aborts the signal the method got',
      async (order) => {
        const tracer = new Tracer({ context: mode, output: recorder() });
        let signal: AbortSignal | undefined;
        const body = (ctx?: { signal?: AbortSignal }) => {
          signal = ctx!.signal;
          return new PromiseCancellable<void>((_resolve, reject, s) => {
            s.addEventListener('abort', () => reject(s.reason));
          });
        };
        class S {
          @traced({ tracer })
          @cancellable()
          public tracedOver(
            @context ctx?: { signal?: AbortSignal },
          ): PromiseLike<void> {
            return body(ctx);
          }

          @cancellable()
          @traced({ tracer })
          public cancellableOver(
            @context ctx?: { signal?: AbortSignal },
          ): PromiseLike<void> {
            return body(ctx);
          }
        }
        const s = new S();
        // @cancellable's types want PromiseLike; it returns a
        // PromiseCancellable
        const p = (
          order === '@traced @cancellable'
            ? s.tracedOver()
            : s.cancellableOver()
        ) as PromiseCancellable<void>;
        expect(typeof p.cancel).toBe('function');
        const reason = new Error('cancelled');
        p.cancel(reason);
        await expect(p).rejects.toBe(reason);
        expect(signal).toBeInstanceOf(AbortSignal);
        expect(signal!.aborted).toBe(true);
      },
    );
  },
);

describe('a context object kept beyond its call', () => {
  test('with ALS the active span wins over a stale span on ctx', async () => {
    const rec = recorder();
    const tracer = new Tracer({ context: 'als', output: rec });
    let kept: Ctx | undefined;
    class Service {
      @traced({ tracer })
      public async first(@context ctx?: Ctx): Promise<void> {
        // stored for later, as a cache or a long-lived helper might
        kept = ctx;
      }

      @traced({ tracer })
      public async second(@context _ctx?: Ctx): Promise<void> {}
    }
    const service = new Service();
    await service.first({});
    await tracer.startActiveSpan('later', async () => {
      await service.second(kept);
    });
    const later = rec.ended.find((s) => s.name === 'later')!;
    const second = rec.ended.find((s) => s.name === 'Service.second')!;
    expect(second.parentId).toBe(later.spanId);
  });
});
