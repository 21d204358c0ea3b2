import { describe, expect, test } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { AsyncLocalStorage } from 'node:async_hooks';
import AlsContextManager, {
  findAsyncLocalStorage,
} from '../../src/context/AlsContextManager.js';
import ShimContextManager from '../../src/context/ShimContextManager.js';
import { createContextManager } from '../../src/context/index.js';
import { Tracer } from '../../src/index.js';
import Span from '../../src/Span.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AlsContextManager', () => {
  test('carries the span across await, timers and microtasks', async () => {
    const tracer = new Tracer({ context: 'als' });
    const seen: Array<unknown> = [];
    const span = await tracer.startActiveSpan('a', async (a) => {
      await null;
      seen.push(tracer.activeSpan());
      await sleep(1);
      seen.push(tracer.activeSpan());
      await new Promise<void>((r) =>
        setTimeout(() => {
          seen.push(tracer.activeSpan());
          r();
        }, 0),
      );
      await new Promise<void>((r) =>
        queueMicrotask(() => {
          seen.push(tracer.activeSpan());
          r();
        }),
      );
      return a;
    });
    expect(seen).toEqual([span, span, span, span]);
    expect(tracer.activeSpan()).toBeUndefined();
  });

  test('enter: active for the rest of the turn and what it starts, not outside', async () => {
    const tracer = new Tracer({ context: 'als' });
    const span = tracer.startSpan('entered');
    const seen: Array<unknown> = [];
    // a fresh async context, as an event from the event loop has
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        tracer.context.enter!(span);
        seen.push(tracer.activeSpan());
        setTimeout(() => {
          seen.push(tracer.activeSpan());
          resolve();
        }, 1);
      }),
    );
    expect(seen).toEqual([span, span]);
    expect(tracer.activeSpan()).toBeUndefined();
  });

  test('bind: emitter listeners run in the context they were bound in', () => {
    const tracer = new Tracer({ context: 'als' });
    const emitter = new EventEmitter();
    const seen: Array<[string, unknown]> = [];
    const owner = tracer.startSpan('owner');
    tracer.withSpan(owner, () => {
      emitter.on(
        'e',
        tracer.bind(() => seen.push(['bound', tracer.activeSpan()])),
      );
      emitter.on('e', () => seen.push(['plain', tracer.activeSpan()]));
    });
    const emitterSpan = tracer.startSpan('emitter');
    tracer.withSpan(emitterSpan, () => emitter.emit('e'));
    // without bind a listener sees whoever emits
    expect(seen).toEqual([
      ['bound', owner],
      ['plain', emitterSpan],
    ]);
  });

  test('uses globalThis.AsyncLocalStorage where the runtime exposes it', () => {
    let made = 0;
    class EdgeAls<T> extends AsyncLocalStorage<T> {
      public constructor() {
        super();
        made++;
      }
    }
    const g = globalThis as any;
    g.AsyncLocalStorage = EdgeAls;
    try {
      expect(findAsyncLocalStorage()).toBe(EdgeAls);
      const manager = new AlsContextManager();
      expect(made).toBe(1);
      const span = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
      expect(manager.with(span, () => manager.active())).toBe(span);
    } finally {
      delete g.AsyncLocalStorage;
    }
  });

  test('without AsyncLocalStorage: detection picks the shim, als throws', () => {
    const proc = process as any;
    const getBuiltinModule = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(AlsContextManager.isAvailable()).toBe(false);
      expect(() => new AlsContextManager()).toThrow(TypeError);
      expect(createContextManager(undefined)).toBeInstanceOf(
        ShimContextManager,
      );
      expect(() => new Tracer({ context: 'als' })).toThrow(TypeError);
    } finally {
      proc.getBuiltinModule = getBuiltinModule;
    }
    expect(AlsContextManager.isAvailable()).toBe(true);
  });
});

describe('choosing the context manager', () => {
  test('options: als, shim, custom; anything else throws', () => {
    expect(createContextManager('als')).toBeInstanceOf(AlsContextManager);
    expect(createContextManager('shim')).toBeInstanceOf(ShimContextManager);
    expect(createContextManager(undefined)).toBeInstanceOf(AlsContextManager);
    const custom = new ShimContextManager();
    expect(createContextManager(custom)).toBe(custom);
    for (const bad of ['ALS', 'none', 3, {}, { active() {} }]) {
      expect(() => createContextManager(bad as any)).toThrow(TypeError);
    }
  });

  test('tracers without a context option share one manager', () => {
    const a = new Tracer();
    const b = new Tracer();
    expect(a.context).toBe(b.context);
    expect(a.context).toBeInstanceOf(AlsContextManager);
    expect(new Tracer({ context: 'als' }).context).not.toBe(a.context);
    // spans of one tracer parent spans of another
    const [parent, child] = a.startActiveSpan('a', (s) => [
      s,
      b.startSpan('b'),
    ]);
    expect(child.parentId).toBe(parent.spanId);
    expect(child.traceId).toBe(parent.traceId);
  });

  test('a custom manager decides the parent', () => {
    const pinned = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) };
    const custom = {
      active: () => pinned,
      with: (_s: unknown, fn: (...a: Array<any>) => any) => fn(),
      bind: <F>(fn: F) => fn,
    };
    const tracer = new Tracer({ context: custom });
    const span = tracer.startSpan('s');
    expect(span.traceId).toBe(pinned.traceId);
    expect(span.parentId).toBe(pinned.spanId);
  });

  test('startActiveSpan without a function throws and starts nothing', () => {
    const tracer = new Tracer({ context: 'shim' });
    expect(() => (tracer as any).startActiveSpan('x')).toThrow(TypeError);
    expect(() => (tracer as any).startActiveSpan('x', {})).toThrow(TypeError);
    expect(tracer.openSpans).toBe(0);
  });

  test('activeSpan is undefined under a remote parent; children join it', () => {
    const tracer = new Tracer({ context: 'als' });
    const remote = tracer.extract({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })!;
    tracer.withSpan(remote, () => {
      expect(tracer.activeSpan()).toBeUndefined();
      const s = tracer.startSpan('server');
      expect(s).toBeInstanceOf(Span);
      expect(s.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(s.parentId).toBe('b7ad6b7169203331');
    });
  });
});
