import { createRequire } from 'node:module';
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import fc from 'fast-check';
import { CreateDestroyStartStop } from '@matrixai/async-init/CreateDestroyStartStop.js';
import { StartStop } from '@matrixai/async-init/StartStop.js';
import { Traceable, setTracer, SpanStatusCode } from '../../src/index.js';
import {
  traceFactories,
  isFactoryName,
} from '../../src/asyncInit/factories.js';
import { isTraced } from '../../src/methods/markers.js';
import { collectingTracer } from '../decorators/utils.js';
import { fcParams } from '../utils/fc.js';

const require = createRequire(import.meta.url);
const v1 = require('async-init-v1');

let c: ReturnType<typeof collectingTracer>;
beforeEach(() => {
  c = collectingTracer();
  setTracer(c.tracer);
});
afterEach(() => {
  setTracer(undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('isFactoryName', () => {
  test('create<ClassName> and create, nothing else', () => {
    expect(isFactoryName('createDB', 'DB')).toBe(true);
    expect(isFactoryName('create', 'DB')).toBe(true);
    expect(isFactoryName('createPolykeyAgent', 'PolykeyAgent')).toBe(true);
    expect(isFactoryName('createId', 'DB')).toBe(false);
    expect(isFactoryName('createdb', 'DB')).toBe(false);
    expect(isFactoryName('make', 'DB')).toBe(false);
    expect(isFactoryName(Symbol('create'), 'DB')).toBe(false);
    expect(isFactoryName('create', '')).toBe(true);
    expect(isFactoryName('createX', '')).toBe(false);
  });
});

describe('static factories of async-init classes (@Traceable)', () => {
  function makeClasses(statics: boolean) {
    @Traceable({ statics })
    @StartStop()
    class Store {
      // `this`, as Polykey does: inside the body `Store` may name the class
      // before its decorators applied
      public static async createStore(this: any, fail = false): Promise<Store> {
        const store = new this();
        await store.start(fail);
        return store;
      }
      public static helperCount = 0;
      public static async createThing(): Promise<string> {
        Store.helperCount++;
        return 'thing';
      }
      public async start(fail = false): Promise<void> {
        await sleep(1);
        if (fail) throw new Error('cannot start');
      }
      public async stop(): Promise<void> {}
    }

    interface Store extends StartStop {}

    @Traceable({ statics })
    @CreateDestroyStartStop()
    class App {
      public static async createApp(this: any): Promise<App> {
        const store = await Store.createStore();
        const app = new this(store);
        await app.start();
        return app;
      }
      public constructor(public store: Store) {}
      public async start(): Promise<void> {}
      public async stop(): Promise<void> {
        await this.store.stop();
      }
    }

    interface App extends CreateDestroyStartStop {}
    return { Store, App };
  }

  for (const statics of [true, false]) {
    test(`what a factory creates nests under it (statics: ${statics})`, async () => {
      const { App } = makeClasses(statics);
      const app = await App.createApp();
      await app.stop();
      const root = c.byName('App.createApp');
      expect(root.parentId).toBeUndefined();
      expect(root.attributes!['spantrail.lifecycle']).toBe('create');
      const storeCreate = c.byName('Store.createStore');
      expect(storeCreate.parentId).toBe(root.spanId);
      expect(c.byName('Store').parentId).toBe(storeCreate.spanId);
      expect(c.byName('App').parentId).toBe(root.spanId);
      expect(new Set(c.spans.map((s) => s.traceId)).size).toBe(1);
    });
  }

  test('a static that is no factory is left alone with statics: false', async () => {
    const { Store } = makeClasses(false);
    expect(await Store.createThing()).toBe('thing');
    expect(c.spans).toHaveLength(0);
  });

  test('a failing factory ends with ERROR around the failing start', async () => {
    const { Store } = makeClasses(true);
    await expect(Store.createStore(true)).rejects.toThrow('cannot start');
    const root = c.byName('Store.createStore');
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    const start = c.byName('Store.start');
    expect(start.status.code).toBe(SpanStatusCode.ERROR);
    expect(c.byName('Store').parentId).toBe(root.spanId);
  });

  test('exclude keeps a factory untraced', async () => {
    @Traceable({ exclude: ['createSolo'] })
    @StartStop()
    class Solo {
      public static async createSolo(this: any): Promise<Solo> {
        const s = new this();
        await s.start();
        return s;
      }
      public async start(): Promise<void> {}
    }

    interface Solo extends StartStop {}
    await Solo.createSolo();
    expect(c.spans.map((s) => s.name)).toEqual(['Solo.start']);
  });
});

describe('traceFactories', () => {
  test('async-init 1.x class: in place, inherited by subclasses, once', async () => {
    @v1.startStop.StartStop()
    class Base {
      public static async createBase(this: any) {
        const b = new this();
        await b.start();
        return b;
      }
      public async start(): Promise<void> {}
    }
    class Derived extends Base {
      public static async createDerived() {
        return Derived.createBase();
      }
    }
    expect(traceFactories(Derived)).toBe(2);
    expect(traceFactories(Derived)).toBe(0);
    expect(traceFactories(Base)).toBe(0);
    expect(isTraced(Base.createBase)).toBe(true);
    await Derived.createDerived();
    const outer = c.byName('Derived.createDerived');
    expect(c.byName('Base.createBase').parentId).toBe(outer.spanId);
    expect(outer.parentId).toBeUndefined();
  });

  test('total: never throws, whatever it is given', () => {
    const hostile = fc.oneof(
      fc.anything(),
      fc.constant(
        new Proxy(function () {}, {
          get() {
            throw new Error('get');
          },
          ownKeys() {
            throw new Error('ownKeys');
          },
          getPrototypeOf() {
            throw new Error('proto');
          },
        }),
      ),
      fc.constant(
        Object.freeze(
          class Frozen {
            public static async createFrozen() {}
          },
        ),
      ),
      fc.string().map((name) => {
        const C = class {};
        Object.defineProperty(C, 'name', { value: name });
        Object.defineProperty(C, 'create' + name, {
          get() {
            throw new Error('getter');
          },
        });
        return C;
      }),
    );
    fc.assert(
      fc.property(hostile, (value) => {
        const n = traceFactories(value);
        expect(Number.isInteger(n)).toBe(true);
      }),
      fcParams(),
    );
  });
});
