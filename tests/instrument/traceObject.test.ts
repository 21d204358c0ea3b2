import { describe, test, expect } from '@jest/globals';
import { StartStop } from '@matrixai/async-init/StartStop.js';
import { traceObject, traceClass, SpanStatusCode } from '../../src/index.js';
import { collectingTracer } from '../decorators/utils.js';

function makeServer() {
  class Server {
    public async start(): Promise<void> {
      this.listen();
    }
    public async stop(): Promise<void> {}
    public listen(): void {}
    public async handle(x: number): Promise<number> {
      if (x < 0) throw new RangeError('negative');
      return x;
    }
  }
  return StartStop()(Server);
}

describe('traceObject', () => {
  test('traces one instance after the fact, not its siblings', async () => {
    const c = collectingTracer();
    const Server = makeServer();
    const traced = traceObject(c.tracer, new Server());
    const other = new Server();
    await traced.start();
    await other.start();
    await traced.handle(1);
    await other.handle(1);
    await expect(traced.handle(-1)).rejects.toThrow(RangeError);
    await traced.stop();
    await other.stop();
    const lifetime = c.byName('Server');
    expect(c.byName('Server.start').parentId).toBe(lifetime.spanId);
    expect(c.byName('Server.listen').parentId).toBe(
      c.byName('Server.start').spanId,
    );
    const handles = c.spans.filter((s) => s.name === 'Server.handle');
    expect(handles).toHaveLength(2);
    expect(handles[1].status.code).toBe(SpanStatusCode.ERROR);
    for (const h of handles) expect(h.parentId).toBe(lifetime.spanId);
    expect(c.spans.filter((s) => s.name === 'Server')).toHaveLength(1);
  });

  test('a running instance gets its lifetime now', async () => {
    const c = collectingTracer();
    const Server = makeServer();
    const s = new Server();
    await s.start();
    traceObject(c.tracer, s);
    await s.handle(2);
    await s.stop();
    const lifetime = c.byName('Server');
    expect(c.byName('Server.handle').parentId).toBe(lifetime.spanId);
    expect(c.byName('Server.stop').parentId).toBe(lifetime.spanId);
  });
});

describe('traceClass', () => {
  test('traces every instance of an existing class, in place', async () => {
    const c = collectingTracer();
    const Server = makeServer();
    expect(traceClass(c.tracer, Server)).toBe(Server);
    const a = new Server();
    const b = new Server();
    await a.start();
    await b.start();
    await a.handle(1);
    await b.stop();
    await a.stop();
    expect(c.spans.filter((s) => s.name === 'Server')).toHaveLength(2);
    expect(c.spans.filter((s) => s.name === 'Server.start')).toHaveLength(2);
    const handle = c.byName('Server.handle');
    const lifetimes = c.spans.filter((s) => s.name === 'Server');
    expect(lifetimes.map((l) => l.spanId)).toContain(handle.parentId);
  });
});
