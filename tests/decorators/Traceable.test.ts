import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { Traceable, traced, setTracer } from '../../src/index.js';
import { collectingTracer } from './utils.js';

let c: ReturnType<typeof collectingTracer>;
beforeEach(() => {
  c = collectingTracer();
  setTracer(c.tracer);
});
afterEach(() => {
  setTracer(undefined);
});

const names = () => c.spans.map((s) => s.name);
describe('@Traceable options', () => {
  test('include, exclude, accessors, inherited methods, no double wrapping', () => {
    class Base {
      public inherited(): number {
        return 1;
      }
      public skipped(): number {
        return 2;
      }
    }
    @Traceable({ exclude: ['skipped'], accessors: true })
    class Child extends Base {
      @traced('explicit')
      public own(): void {}
      public get prop(): number {
        return 3;
      }
    }
    const x = new Child();
    x.inherited();
    x.skipped();
    x.own();
    expect(x.prop).toBe(3);
    expect(names().sort()).toEqual(
      ['Child.inherited', 'Child.get prop', 'explicit'].sort(),
    );
    // the base class stays untraced for its other subclasses
    new Base().inherited();
    expect(c.spans).toHaveLength(3);
    @Traceable({ include: ['only'] })
    class Narrow {
      public only(): void {}
      public other(): void {}
    }
    new Narrow().only();
    new Narrow().other();
    expect(c.spans.map((s) => s.name).slice(3)).toEqual(['Narrow.only']);
  });
});

describe('@Traceable keeps the class what the user wrote', () => {
  test('name, toString and stack frames, with tracing off and on', () => {
    @Traceable()
    class Orders {
      public place(): never {
        throw new Error('sold out');
      }
    }
    expect(Orders.name).toBe('Orders');
    expect(String(Orders)).toContain('sold out');
    expect(String(Orders)).not.toContain('onConstruct');
    const firstFrame = (): string => {
      try {
        new Orders().place();
      } catch (e) {
        return (e as Error).stack!.split('\n')[1];
      }
      return '';
    };
    setTracer(undefined);
    expect(firstFrame()).toMatch(/^\s+at Orders\.place \(/);
    setTracer(c.tracer);
    expect(firstFrame()).toMatch(/^\s+at Orders\.place \(/);
    // and what a recorded exception keeps
    const span = c.spans.find((s) => s.name === 'Orders.place')!;
    const stack = String(span.events?.[0].attributes?.['exception.stacktrace']);
    expect(stack).toMatch(/\n\s+at Orders\.place \(/);
    expect(stack).not.toContain('Hooked');
  });
});
