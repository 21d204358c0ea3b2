import type { Span } from '../../src/index.js';
import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import { traced, setTracer, SpanStatusCode } from '../../src/index.js';
import { collectingTracer } from './utils.js';
import { fcParams } from '../utils/fc.js';

// A random call graph: node i may call nodes > i (so it terminates). Each
// node is a method of a shape (sync, async, generator, async generator) on
// one of a few service objects, and may throw after its calls (caught by
// its caller). The tracer must give exactly the call tree.

type Shape = 'sync' | 'async' | 'gen' | 'agen';
type Node = { shape: Shape; calls: Array<number>; throws: boolean };

const shapes: Array<Shape> = ['sync', 'async', 'gen', 'agen'];

const graphArb = fc
  .integer({ min: 1, max: 7 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          shape: fc.constantFrom(...shapes),
          calls: fc.array(fc.integer({ min: i + 1, max: n }), { maxLength: 3 }),
          throws: fc.boolean(),
        }),
      ),
    ),
  )
  .map((nodes) =>
    nodes.map((node, i) => ({
      ...node,
      // index n means "no call": keeps edges sparse
      calls: node.calls.filter((j) => j < nodes.length && j > i),
    })),
  );

class Failure extends Error {}

/** Expected tree: node label -> children labels, in call order. */
type Expected = { label: string; failed: boolean; children: Array<Expected> };

function expectedTree(graph: Array<Node>, i: number, path: string): Expected {
  return {
    label: `n${i}`,
    failed: graph[i].throws,
    children: graph[i].calls.map((j, k) =>
      expectedTree(graph, j, `${path}.${k}`),
    ),
  };
}

function buildServices(graph: Array<Node>) {
  // several service objects, one class per shape, methods named per node
  class Services {
    public constructor(public graph: Array<Node>) {}
    public invoke(j: number): any {
      return (this as any)[`n${j}`]();
    }
    public async callAllAsync(i: number): Promise<void> {
      for (const j of this.graph[i].calls) {
        try {
          await this.consume(j);
        } catch (e) {
          if (!(e instanceof Failure)) throw e;
        }
      }
    }
    public callAllSync(i: number): void {
      for (const j of this.graph[i].calls) {
        try {
          // a sync node cannot wait for async callees: it only starts them
          const r = this.consumeSync(j);
          if (r instanceof Promise) r.catch(() => {});
        } catch (e) {
          if (!(e instanceof Failure)) throw e;
        }
      }
    }
    public consumeSync(j: number): unknown {
      const r = this.invoke(j);
      if (this.graph[j].shape === 'gen') return [...r];
      if (this.graph[j].shape === 'agen') {
        return (async () => {
          for await (const _ of r);
        })();
      }
      return r;
    }
    public async consume(j: number): Promise<void> {
      const r = this.invoke(j);
      if (this.graph[j].shape === 'gen') {
        for (const _ of r);
      } else if (this.graph[j].shape === 'agen') {
        for await (const _ of r);
      } else {
        await r;
      }
    }
  }
  graph.forEach((node, i) => {
    let method: any;
    const fail = () => {
      if (node.throws) throw new Failure(`n${i}`);
    };
    switch (node.shape) {
      case 'sync':
        method = function (this: Services) {
          this.callAllSync(i);
          fail();
        };
        break;
      case 'async':
        method = async function (this: Services) {
          await this.callAllAsync(i);
          fail();
        };
        break;
      case 'gen':
        method = function* (this: Services) {
          yield 1;
          this.callAllSync(i);
          yield 2;
          fail();
        };
        break;
      case 'agen':
        method = async function* (this: Services) {
          yield 1;
          await this.callAllAsync(i);
          yield 2;
          fail();
        };
        break;
    }
    const d = { value: method, writable: true, configurable: true };
    traced(`n${i}`)(Services.prototype, `n${i}`, d);
    Object.defineProperty(Services.prototype, `n${i}`, d);
  });
  return new Services(graph);
}

function actualTree(spans: Array<Span>, span: Span): Expected {
  return {
    label: span.name,
    failed: span.status.code === SpanStatusCode.ERROR,
    children: spans
      .filter((s) => s.parentId === span.spanId)
      .sort((a, b) => (a.spanId < b.spanId ? -1 : 1))
      .map((s) => actualTree(spans, s)),
  };
}

describe('random call graphs between traced methods', () => {
  test('give exactly the expected span tree', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, async (graph) => {
        const c = collectingTracer();
        setTracer(c.tracer);
        try {
          const services = buildServices(graph);
          try {
            await services.consume(0);
          } catch (e) {
            if (!(e instanceof Failure)) throw e;
          }
          // sync nodes only start async callees: let them finish
          for (let k = 0; k < 50 && c.tracer.openSpans > 0; k++) {
            await new Promise((r) => setTimeout(r, 1));
          }
        } finally {
          setTracer(undefined);
        }
        expect(c.tracer.openSpans).toBe(0);
        const roots = c.spans.filter((s) => s.parentId === undefined);
        expect(roots).toHaveLength(1);
        expect(actualTree(c.spans, roots[0])).toEqual(
          expectedTree(graph, 0, '0'),
        );
        // every span is in the tree: none is lost or doubled
        const count = (t: Expected): number =>
          1 + t.children.reduce((a, x) => a + count(x), 0);
        expect(c.spans).toHaveLength(count(expectedTree(graph, 0, '0')));
      }),
      fcParams({ numRuns: 150 }),
    );
  });
});
