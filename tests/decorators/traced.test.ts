import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import context from '@matrixai/contexts/decorators/context.js';
import timed from '@matrixai/contexts/decorators/timed.js';
import {
  traced,
  setTracer,
  SpanStatusCode,
  SpanKind,
  contextsReady,
  contextSpanKey,
  isTraced,
  Tracer,
} from '../../src/index.js';
import type { SpanOptions } from '../../src/types.js';
import { collectingTracer } from './utils.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Boom extends Error {}

const meta = Symbol('meta');
function tag(value: string) {
  return (target: any, key: string, descriptor: PropertyDescriptor) => {
    descriptor.value[meta] = value;
    return descriptor;
  };
}

class Service {
  public calls: Array<string> = [];

  @traced()
  public sync(a: number, b: number): number {
    return a + b;
  }

  @traced()
  public syncThrow(_x: unknown): never {
    throw new Boom('sync boom');
  }

  @traced()
  public async asyncOk(x: number): Promise<number> {
    await sleep(1);
    return this.sync(x, 1);
  }

  @traced()
  public async asyncThrow(): Promise<void> {
    await sleep(1);
    throw new Boom('async boom');
  }

  @traced()
  public *gen(n: number): Generator<number, string> {
    for (let i = 0; i < n; i++) {
      this.calls.push(`yield ${i}`);
      yield this.sync(i, 0);
    }
    return 'done';
  }

  @traced()
  public *genThrow(): Generator<number> {
    yield 1;
    throw new Boom('gen boom');
  }

  @traced()
  public async *agen(n: number): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      await sleep(1);
      yield await this.asyncOk(i);
    }
  }

  @traced()
  public async *agenThrow(): AsyncGenerator<number> {
    yield 1;
    await sleep(1);
    throw new Boom('agen boom');
  }

  @traced()
  public thenable(value: number): PromiseLike<number> {
    return {
      then(onF: any, onR: any) {
        return Promise.resolve(value).then(onF, onR);
      },
    };
  }

  @traced()
  public static create(): Service {
    return new Service();
  }

  @traced('custom-name')
  public named(): void {}

  @traced({
    kind: SpanKind.CLIENT,
    attributes: (self: Service, args) => ({
      'arg.0': args[0] as string,
      calls: self.calls.length,
    }),
    onResult: (span, result) => span.setAttribute('result', result as number),
  })
  public withOptions(id: string): Promise<number> {
    return Promise.resolve(id.length);
  }

  @traced({ attributes: { fixed: 'yes' } })
  public noArgsRecorded(_secret: string): void {}

  @traced({ root: true })
  public rooted(): void {}

  @traced()
  @tag('kept')
  public tagged(a: number, b: number, c: number): number {
    return a + b + c;
  }

  @traced()
  public get value(): number {
    return 42;
  }
}

describe('@traced (experimentalDecorators)', () => {
  let c: ReturnType<typeof collectingTracer>;
  beforeEach(() => {
    c = collectingTracer();
    setTracer(c.tracer);
  });
  afterEach(() => {
    setTracer(undefined);
  });

  test('sync method: span named Class.method, value returned', () => {
    const s = new Service();
    expect(s.sync(1, 2)).toBe(3);
    const span = c.byName('Service.sync');
    expect(span.isEnded()).toBe(true);
    expect(span.parentId).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toBeUndefined();
  });

  test('sync throw: recorded, ERROR, rethrown as the same object', () => {
    const s = new Service();
    let caught: unknown;
    try {
      s.syncThrow('x');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Boom);
    const span = c.byName('Service.syncThrow');
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'sync boom',
    });
    expect(span.events![0].name).toBe('exception');
    expect(span.events![0].attributes!['exception.type']).toBe('Boom');
    expect(span.events![0].attributes!['exception.stacktrace']).toBe(
      (caught as Error).stack,
    );
  });

  test('async method: span ends when the promise settles; children nest', async () => {
    const s = new Service();
    const p = s.asyncOk(5);
    expect(c.spans).toHaveLength(0);
    expect(await p).toBe(6);
    const outer = c.byName('Service.asyncOk');
    const inner = c.byName('Service.sync');
    expect(inner.parentId).toBe(outer.spanId);
    expect(inner.traceId).toBe(outer.traceId);
  });

  test('async rejection: same error object, ERROR status, exception event', async () => {
    const s = new Service();
    const err = await s.asyncThrow().catch((e) => e);
    expect(err).toBeInstanceOf(Boom);
    expect(err.stack).toContain('asyncThrow');
    const span = c.byName('Service.asyncThrow');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events!.map((e) => e.name)).toEqual(['exception']);
  });

  test('generator: each next runs with the span active; ends when done', () => {
    const s = new Service();
    const it = s.gen(3);
    expect(Object.prototype.toString.call(it)).toBe('[object Generator]');
    expect(c.spans).toHaveLength(0);
    const values = [...it];
    expect(values).toEqual([0, 1, 2]);
    const gen = c.byName('Service.gen');
    const inner = c.spans.filter((x) => x.name === 'Service.sync');
    expect(inner).toHaveLength(3);
    for (const i of inner) expect(i.parentId).toBe(gen.spanId);
    // the generator span ended after its children
    expect(c.spans[c.spans.length - 1]).toBe(gen);
  });

  test('generator: early exit with break and return() ends the span', () => {
    const s = new Service();
    for (const v of s.gen(10)) {
      if (v === 1) break;
    }
    expect(s.calls).toEqual(['yield 0', 'yield 1']);
    const span = c.byName('Service.gen');
    expect(span.isEnded()).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const it = s.gen(5);
    it.next();
    expect(it.return('early')).toEqual({ value: 'early', done: true });
    expect(c.spans.filter((x) => x.name === 'Service.gen')).toHaveLength(2);
  });

  test('generator: a throw inside, and throw() from outside', () => {
    const s = new Service();
    const it = s.genThrow();
    expect(it.next().value).toBe(1);
    expect(() => it.next()).toThrow(Boom);
    expect(c.byName('Service.genThrow').status.code).toBe(SpanStatusCode.ERROR);
    const it2 = s.gen(3);
    it2.next();
    const outside = new Boom('from outside');
    expect(() => it2.throw(outside)).toThrow(outside);
    const span = c.byName('Service.gen');
    expect(span.status.message).toBe('from outside');
  });

  test('async generator: for await, children nest, ends when done', async () => {
    const s = new Service();
    const got: Array<number> = [];
    for await (const v of s.agen(2)) got.push(v);
    expect(got).toEqual([1, 2]);
    const agen = c.byName('Service.agen');
    const calls = c.spans.filter((x) => x.name === 'Service.asyncOk');
    expect(calls).toHaveLength(2);
    for (const x of calls) expect(x.parentId).toBe(agen.spanId);
  });

  test('async generator: break in for await ends the span; a throw is recorded', async () => {
    const s = new Service();
    for await (const v of s.agen(10)) {
      if (v === 1) break;
    }
    expect(c.byName('Service.agen').isEnded()).toBe(true);
    expect(c.spans.filter((x) => x.name === 'Service.asyncOk')).toHaveLength(1);
    const it = s.agenThrow();
    expect((await it.next()).value).toBe(1);
    await expect(it.next()).rejects.toThrow('agen boom');
    expect(c.byName('Service.agenThrow').status.code).toBe(
      SpanStatusCode.ERROR,
    );
  });

  test('thenable result: the span ends when it settles', async () => {
    const s = new Service();
    expect(await s.thenable(7)).toBe(7);
    expect(c.byName('Service.thenable').isEnded()).toBe(true);
  });

  test('a result that cannot be inspected is returned as it is', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const trap = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Boom('getPrototypeOf');
        },
        get() {
          throw new Boom('get');
        },
      },
    );
    class Echo {
      @traced({ name: 'hostile' })
      public echo(x: unknown): unknown {
        return x;
      }
    }
    const e = new Echo();
    expect(e.echo(proxy)).toBe(proxy);
    expect(e.echo(trap)).toBe(trap);
    expect(c.spans.filter((s) => s.name === 'hostile')).toHaveLength(2);
    expect(c.spans.every((s) => s.isEnded())).toBe(true);
  });

  test('static method, custom name, options', async () => {
    Service.create();
    expect(c.byName('Service.create').isEnded()).toBe(true);
    const s = new Service();
    s.named();
    c.byName('custom-name');
    expect(await s.withOptions('abcd')).toBe(4);
    const span = c.byName('Service.withOptions');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({ 'arg.0': 'abcd', calls: 0, result: 4 });
    s.noArgsRecorded('hunter2');
    expect(c.byName('Service.noArgsRecorded').attributes).toEqual({
      fixed: 'yes',
    });
    expect(JSON.stringify(c.spans)).not.toContain('hunter2');
  });

  test('root: starts a new trace even under an active span', () => {
    const s = new Service();
    c.tracer.startActiveSpan('outer', () => {
      s.rooted();
      s.named();
    });
    const outer = c.byName('outer');
    expect(c.byName('Service.rooted').parentId).toBeUndefined();
    expect(c.byName('Service.rooted').traceId).not.toBe(outer.traceId);
    expect(c.byName('custom-name').parentId).toBe(outer.spanId);
  });

  test('name, length and properties of the method are kept', () => {
    const proto = Service.prototype as any;
    expect(proto.sync.name).toBe('sync');
    expect(proto.sync.length).toBe(2);
    expect(proto.tagged.length).toBe(3);
    expect(proto.tagged[meta]).toBe('kept');
    expect(isTraced(proto.tagged)).toBe(true);
    expect(Service.create.name).toBe('create');
    const d = Object.getOwnPropertyDescriptor(Service.prototype, 'value')!;
    expect(d.get!.name).toBe('get value');
    expect(new Service().value).toBe(42);
    c.byName('Service.get value');
  });

  test('the tracer is looked up at call time; the no-op tracer records nothing', () => {
    setTracer(undefined);
    const s = new Service();
    expect(s.sync(1, 1)).toBe(2);
    expect(c.spans).toHaveLength(0);
    const late = collectingTracer();
    setTracer(late.tracer);
    s.sync(2, 2);
    late.byName('Service.sync');
  });

  test('a @context argument carries the span to the callee', async () => {
    await contextsReady();
    class Ctx {
      @traced()
      public async outer(@context ctx?: any): Promise<unknown> {
        // no active span: only the ctx can tell the callee its parent
        return c.tracer.withSpan(undefined, () => this.inner(ctx));
      }
      @timed(1000)
      @traced()
      public async inner(@context ctx?: any): Promise<unknown> {
        return ctx;
      }
    }
    const given = { custom: 1 };
    const ctx: any = await new Ctx().outer(given);
    const outer = c.byName('Ctx.outer');
    const inner = c.byName('Ctx.inner');
    expect(inner.parentId).toBe(outer.spanId);
    expect(ctx[contextSpanKey]).toBe(inner);
    expect(ctx.custom).toBe(1);
    expect(ctx.timer).toBeDefined();
    // the caller's object is untouched
    expect((given as any)[contextSpanKey]).toBeUndefined();
  });
});

describe("@traced with a tracer that is not spantrail's own class", () => {
  test('an object with a startSpan method, and a subclass that overrides it, are called', () => {
    const real = new Tracer({ context: 'shim' });
    let calls = 0;
    const duck = {
      enabled: true,
      context: real.context,
      startSpan: (name: string, options: SpanOptions) => {
        calls++;
        return real.startSpan(name, options);
      },
    } as unknown as Tracer;
    class Counting extends Tracer {
      public count = 0;
      public override startSpan(name: string, options?: SpanOptions) {
        this.count++;
        return super.startSpan(name, options);
      }
    }
    const counting = new Counting({ context: 'shim' });
    class Svc {
      @traced({ tracer: duck })
      public viaDuck(): number {
        return 1;
      }
      @traced({ tracer: counting })
      public viaSubclass(): number {
        return 2;
      }
    }
    const svc = new Svc();
    expect(svc.viaDuck()).toBe(1);
    expect(svc.viaSubclass()).toBe(2);
    expect(calls).toBe(1);
    expect(counting.count).toBe(1);
  });
});
