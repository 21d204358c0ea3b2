// The async-init lifecycle state machine, driven through @Traceable on
// real async-init 2.x and 1.x classes.
import type { Span } from '../../src/index.js';
import { createRequire } from 'node:module';
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { StartStop, ready as readySS } from '@matrixai/async-init/StartStop.js';
import { CreateDestroy } from '@matrixai/async-init/CreateDestroy.js';
import { CreateDestroyStartStop } from '@matrixai/async-init/CreateDestroyStartStop.js';
import { EventAsyncInit } from '@matrixai/async-init/events.js';
import {
  Traceable,
  traced,
  setTracer,
  SpanStatusCode,
  getObjectSpan,
} from '../../src/index.js';
import { collectingTracer } from '../decorators/utils.js';

const require = createRequire(import.meta.url);
const v1 = require('async-init-v1');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class EventCustomStart extends EventAsyncInit {}
class EventCustomStarted extends EventAsyncInit {}

let c: ReturnType<typeof collectingTracer>;
beforeEach(() => {
  c = collectingTracer();
  setTracer(c.tracer);
});
afterEach(() => {
  setTracer(undefined);
});

const names = () => c.spans.map((s) => s.name);
function childrenOf(span: Span): Array<string> {
  return c.spans.filter((s) => s.parentId === span.spanId).map((s) => s.name);
}

// The same service class, decorated in every combination tested below
function makeStartStop(
  order: 'traceable-outer' | 'traceable-inner',
  ss: (...args: Array<any>) => any,
  ready: (...args: Array<any>) => any,
) {
  class Service {
    public failStart = false;
    public failWith: unknown = undefined;
    public log: Array<string> = [];
    public async start(): Promise<void> {
      await sleep(1);
      this.helper();
      if (this.failStart) throw this.failWith ?? new Error('start failed');
    }
    public async stop(): Promise<void> {
      await sleep(1);
    }
    public helper(): void {
      this.log.push('helper');
    }
    public async work(n: number): Promise<number> {
      await sleep(1);
      return n * 2;
    }
    @traced('Service.custom')
    public already(): void {}
  }
  Object.defineProperty(
    Service.prototype,
    'work',
    ready()(
      Service.prototype,
      'work',
      Object.getOwnPropertyDescriptor(Service.prototype, 'work')!,
    ),
  );
  const decorateSS = ss({
    eventStart: EventCustomStart,
    eventStarted: EventCustomStarted,
  });
  return order === 'traceable-outer'
    ? Traceable()(decorateSS(Service))
    : decorateSS(Traceable()(Service));
}

describe.each([
  ['2.x', StartStop, readySS],
  ['1.x', v1.startStop.StartStop, v1.startStop.ready],
])('@Traceable on StartStop (async-init %s)', (_v, ss, ready) => {
  describe.each(['traceable-outer', 'traceable-inner'] as const)(
    '%s',
    (order) => {
      test('start/stop phases, lifetime, methods under the lifetime', async () => {
        const S = makeStartStop(order, ss, ready);
        expect(S.name).toBe('Service');
        const s = new S();
        await s.start();
        expect(await s.work(2)).toBe(4);
        s.already();
        await s.stop();
        const lifetime = c.byName('Service');
        const start = c.byName('Service.start');
        const stop = c.byName('Service.stop');
        expect(lifetime.parentId).toBeUndefined();
        expect(start.parentId).toBe(lifetime.spanId);
        expect(stop.parentId).toBe(lifetime.spanId);
        // helper called inside start nests under the start phase
        expect(c.byName('Service.helper').parentId).toBe(start.spanId);
        expect(c.byName('Service.work').parentId).toBe(lifetime.spanId);
        expect(c.byName('Service.custom').parentId).toBe(lifetime.spanId);
        expect(lifetime.status.code).toBe(SpanStatusCode.UNSET);
        expect(childrenOf(lifetime).sort()).toEqual(
          [
            'Service.custom',
            'Service.start',
            'Service.stop',
            'Service.work',
          ].sort(),
        );
        // nothing else: async-init's and Evented's machinery is not traced
        expect(names().sort()).toEqual(
          [
            'Service',
            'Service.custom',
            'Service.helper',
            'Service.start',
            'Service.stop',
            'Service.work',
          ].sort(),
        );
        expect(getObjectSpan(s)).toBeUndefined();
      });

      test('a failing start ends phase and lifetime with ERROR', async () => {
        const S = makeStartStop(order, ss, ready);
        const s = new S();
        s.failStart = true;
        await expect(s.start()).rejects.toThrow('start failed');
        const start = c.byName('Service.start');
        expect(start.status.code).toBe(SpanStatusCode.ERROR);
        expect(start.events![0].name).toBe('exception');
        const lifetime = c.byName('Service');
        expect(lifetime.status.code).toBe(SpanStatusCode.ERROR);
        expect(start.parentId).toBe(lifetime.spanId);
        // a method rejected by @ready is recorded too
        await expect(s.work(1)).rejects.toThrow();
        expect(c.byName('Service.work').status.code).toBe(SpanStatusCode.ERROR);
        // and it can start after all
        s.failStart = false;
        await s.start();
        await s.stop();
        const lifetimes = c.spans.filter((x) => x.name === 'Service');
        expect(lifetimes).toHaveLength(2);
        expect(lifetimes[1].status.code).toBe(SpanStatusCode.UNSET);
      });

      test('a start that throws a hostile value: the program gets that value', async () => {
        const S = makeStartStop(order, ss, ready);
        const revocable = Proxy.revocable({}, {});
        revocable.revoke();
        for (const thrown of [Object.create(null), revocable.proxy]) {
          const s = new S();
          s.failStart = true;
          s.failWith = thrown;
          await expect(s.start()).rejects.toBe(thrown);
        }
        const lifetimes = c.spans.filter((x) => x.name === 'Service');
        expect(lifetimes).toHaveLength(2);
        for (const l of lifetimes) {
          expect(l.status.code).toBe(SpanStatusCode.ERROR);
        }
      });

      test('restart after stop gives a new lifetime; no-op calls give no spans', async () => {
        const S = makeStartStop(order, ss, ready);
        const s = new S();
        await s.start();
        await s.start();
        await s.stop();
        await s.stop();
        await s.start();
        await s.stop();
        const lifetimes = c.spans.filter((x) => x.name === 'Service');
        expect(lifetimes).toHaveLength(2);
        expect(lifetimes[0].traceId).not.toBe(lifetimes[1].traceId);
        expect(c.spans.filter((x) => x.name === 'Service.start')).toHaveLength(
          2,
        );
        expect(c.spans.filter((x) => x.name === 'Service.stop')).toHaveLength(
          2,
        );
      });

      test('lifetime joins the active span at start', async () => {
        const S = makeStartStop(order, ss, ready);
        const s = new S();
        await c.tracer.startActiveSpan('main', () => s.start());
        await s.stop();
        expect(c.byName('Service').parentId).toBe(c.byName('main').spanId);
      });
    },
  );
});

describe.each([
  ['2.x', CreateDestroy, CreateDestroyStartStop],
  [
    '1.x',
    v1.createDestroy.CreateDestroy,
    v1.createDestroyStartStop.CreateDestroyStartStop,
  ],
])(
  '@Traceable on CreateDestroy and CreateDestroyStartStop (async-init %s)',
  (_v, cd, cdss) => {
    test.each(['traceable-outer', 'traceable-inner'])(
      'CreateDestroy: lifetime from construction until destroy (%s)',
      async (order) => {
        class Resource {
          public static async createResource(): Promise<Resource> {
            return new this();
          }
          public async destroy(): Promise<void> {
            await sleep(1);
          }
          public read(): string {
            return 'r';
          }
        }
        const R: any =
          order === 'traceable-outer'
            ? Traceable()(cd()(Resource))
            : cd()(Traceable()(Resource));
        const r = await R.createResource();
        expect(r.read()).toBe('r');
        await r.destroy();
        await r.destroy();
        const lifetime = c.byName('Resource');
        expect(c.byName('Resource.createResource').parentId).toBeUndefined();
        expect(c.byName('Resource.destroy').parentId).toBe(lifetime.spanId);
        expect(c.byName('Resource.read').parentId).toBe(lifetime.spanId);
        expect(lifetime.isEnded()).toBe(true);
      },
    );

    test('a CreateDestroy made with no span active nests under its one traced owner, under none when two could own it', async () => {
      class Store {
        public async start(): Promise<void> {}
        public async stop(): Promise<void> {}
        public async destroy(): Promise<void> {}
      }
      class Tx {
        public constructor(public deps: Record<string, unknown>) {}
        public async destroy(): Promise<void> {}
      }
      const S: any = Traceable()(cdss()(Store));
      const T: any = Traceable()(cd()(Tx));
      const a = new S();
      const b = new S();
      await a.start();
      await b.start();
      const owned = new T({ store: a, label: 'x' });
      const ambiguous = new T({ store: a, other: b });
      await owned.destroy();
      await ambiguous.destroy();
      await a.stop();
      await b.stop();
      // spans are collected in end order: a stops first, owned ends first
      const [aLifetime] = c.spans.filter((x) => x.name === 'Store');
      const [ownedLifetime, ambiguousLifetime] = c.spans.filter(
        (x) => x.name === 'Tx',
      );
      expect(ownedLifetime.parentId).toBe(aLifetime.spanId);
      expect(ambiguousLifetime.parentId).toBeUndefined();
    });

    test.each(['traceable-outer', 'traceable-inner'])(
      'CreateDestroyStartStop: start, stop, destroy; failing destroy (%s)',
      async (order) => {
        class Db {
          public failDestroy = true;
          public async start(): Promise<void> {}
          public async stop(): Promise<void> {}
          public async destroy(): Promise<void> {
            if (this.failDestroy) throw new Error('destroy failed');
          }
        }
        const D: any =
          order === 'traceable-outer'
            ? Traceable()(cdss()(Db))
            : cdss()(Traceable()(Db));
        const d = new D();
        await d.start();
        await d.stop();
        await expect(d.destroy()).rejects.toThrow('destroy failed');
        d.failDestroy = false;
        await d.destroy();
        const lifetime = c.byName('Db');
        const destroys = c.spans.filter((x) => x.name === 'Db.destroy');
        expect(destroys).toHaveLength(2);
        expect(destroys[0].status.code).toBe(SpanStatusCode.ERROR);
        expect(destroys[1].status.code).toBe(SpanStatusCode.UNSET);
        // after stop, destroy joins the last lifetime
        for (const x of destroys) expect(x.parentId).toBe(lifetime.spanId);
        expect(c.byName('Db.start').parentId).toBe(lifetime.spanId);
      },
    );
  },
);
