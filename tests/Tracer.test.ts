import { describe, expect, jest, test } from '@jest/globals';
import { Tracer } from '../src/index.js';
import Span from '../src/Span.js';
import { SpanEvent } from '../src/events.js';
import type { TracerErrorEvent } from '../src/events.js';
import { SpanKind } from '../src/constants.js';
import { getTracer, noopTracer, setTracer } from '../src/global.js';
import { collecting } from './utils/collecting.js';

describe('Tracer options', () => {
  test.each([
    [{ output: 'otlp://nowhere' }, /output/],
    [{ output: 'fd:x' }, /output/],
    [{ output: '' }, /output/],
    [{ output: -1 }, /output/],
    [{ output: { not: 'a stream' } }, /output/],
    [{ output: () => {}, bufferSize: -5 }, /bufferSize/],
    [{ output: () => {}, bufferSize: 'big' }, /bufferSize/],
    [{ output: () => {}, flushInterval: -1 }, /flushInterval/],
    [{ limits: { attributeCountLimit: -1 } }, /limits\.attributeCountLimit/],
    [{ sampler: {} }, /sampler/],
    [{ service: 42 }, /service/],
    [{ context: 'fibers' }, /context/],
  ])('%j throws a TypeError naming the option', (options, name) => {
    expect(() => new Tracer(options as any)).toThrow(TypeError);
    expect(() => new Tracer(options as any)).toThrow(name);
  });
});

describe('Tracer spans', () => {
  test('parents: explicit span, span context, null, and the active span', () => {
    const { tracer } = collecting();
    const root = tracer.startSpan('root');
    const child = tracer.startSpan('child', { parent: root });
    expect(child.traceId).toBe(root.traceId);
    expect(child.parentId).toBe(root.spanId);
    const remote = tracer.startSpan('remote', {
      parent: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) },
    });
    expect(remote.traceId).toBe('a'.repeat(32));
    expect(remote.parentId).toBe('b'.repeat(16));
    const fresh = tracer.withSpan(root, () =>
      tracer.startSpan('fresh', { parent: null }),
    );
    expect(fresh.parentId).toBeUndefined();
    expect(fresh.traceId).not.toBe(root.traceId);
    const implicit = tracer.withSpan(root, () => tracer.startSpan('implicit'));
    expect(implicit.parentId).toBe(root.spanId);
  });

  test('invalid span contexts as parents start a new trace instead of throwing', () => {
    const { tracer } = collecting();
    for (const parent of [
      { traceId: '0'.repeat(32), spanId: 'b'.repeat(16) },
      { traceId: 'A'.repeat(32), spanId: 'b'.repeat(16) },
      { traceId: 'a'.repeat(31), spanId: 'b'.repeat(16) },
      { traceId: 'a'.repeat(32), spanId: '0'.repeat(16) },
      { traceId: 1, spanId: 2 },
    ]) {
      const span = tracer.startSpan('x', { parent: parent as any });
      expect(span.parentId).toBeUndefined();
      expect(span.isRecording()).toBe(true);
    }
  });

  test('kind, attributes, links and start time options reach the record', () => {
    const { tracer, records } = collecting();
    const other = tracer.startSpan('other');
    const span = tracer.startSpan('opts', {
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'GET' },
      links: [{ context: other.spanContext() }],
      startTime: new Date('2030-01-01T00:00:00Z'),
    });
    span.end();
    const start = records().find(
      (r) => r.type === 'start' && r.name === 'opts',
    );
    expect(start).toMatchObject({
      kind: 1,
      attributes: { 'http.method': 'GET' },
      startTime: Date.parse('2030-01-01T00:00:00Z') * 1000,
    });
    const end = records().find((r) => r.type === 'span');
    expect(end.links).toEqual([
      { traceId: other.traceId, spanId: other.spanId },
    ]);
  });

  test('emitStart: false writes only span records', () => {
    const { tracer, records } = collecting({ emitStart: false });
    tracer.startSpan('a').end();
    expect(records().map((r) => r.type)).toEqual(['meta', 'span']);
  });

  test('openSpans counts recording spans only', () => {
    const { tracer } = collecting();
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    expect(tracer.openSpans).toBe(2);
    a.end();
    a.end();
    expect(tracer.openSpans).toBe(1);
    b.end();
    expect(tracer.openSpans).toBe(0);
  });

  test('startActiveSpan ends on return, throw and settle; errors rethrown unchanged', async () => {
    const { tracer, records } = collecting();
    expect(
      tracer.startActiveSpan('sync', (span) => {
        expect(tracer.activeSpan()).toBe(span);
        return 1;
      }),
    ).toBe(1);
    const thrown = new Error('sync throw');
    expect(() =>
      tracer.startActiveSpan('throws', {}, () => {
        throw thrown;
      }),
    ).toThrow(thrown);
    const rejected = new Error('rejected');
    await expect(
      tracer.startActiveSpan('rejects', async () => {
        await null;
        throw rejected;
      }),
    ).rejects.toBe(rejected);
    await expect(
      tracer.startActiveSpan('resolves', async () => 'v'),
    ).resolves.toBe('v');
    const spans = records().filter((r) => r.type === 'span');
    expect(spans.map((s) => [s.name, s.status.code])).toEqual([
      ['sync', 0],
      ['throws', 2],
      ['rejects', 2],
      ['resolves', 0],
    ]);
    expect(spans[1].events[0].attributes['exception.message']).toBe(
      'sync throw',
    );
    expect(tracer.openSpans).toBe(0);
  });

  test('bind carries the span into callbacks run later', async () => {
    const { tracer } = collecting();
    const root = tracer.startSpan('root');
    const callback = tracer.withSpan(root, () =>
      tracer.bind(() => tracer.startSpan('later')),
    );
    const explicit = tracer.bind(() => tracer.activeSpan(), root);
    await new Promise((r) => setTimeout(r, 1));
    expect(callback().parentId).toBe(root.spanId);
    expect(explicit()).toBe(root);
  });
});

describe('Tracer events', () => {
  test('spanstart and spanend dispatch SpanEvents to listeners', () => {
    const { tracer } = collecting();
    const seen: Array<string> = [];
    tracer.addEventListener('spanstart', (e) => {
      expect(e).toBeInstanceOf(SpanEvent);
      seen.push('start:' + (e as SpanEvent).span.name);
    });
    tracer.addEventListener('spanend', (e) =>
      seen.push(
        'end:' +
          (e as SpanEvent).span.name +
          ':' +
          ((e as SpanEvent).span.duration >= 0),
      ),
    );
    tracer.startSpan('a').end();
    expect(seen).toEqual(['start:a', 'end:a:true']);
  });

  test('no listener means no dispatch', () => {
    const { tracer } = collecting();
    const dispatch = jest.spyOn(tracer, 'dispatchEvent');
    tracer.startSpan('quiet').end();
    expect(dispatch).not.toHaveBeenCalled();
  });

  test('a failing output is reported once as an error event and the program goes on', () => {
    let calls = 0;
    const tracer = new Tracer({
      output: () => {
        calls++;
        throw new Error('disk on fire');
      },
      sync: true,
      context: 'shim',
    });
    const errors: Array<unknown> = [];
    tracer.addEventListener('error', (e) =>
      errors.push((e as TracerErrorEvent).error),
    );
    for (let i = 0; i < 10; i++) tracer.startSpan('x').end();
    // the first write failed and stopped the output for good; the listener
    // added after construction still hears of it
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('disk on fire');
    const late = new Tracer({
      context: 'shim',
      output: failAfter(2),
      sync: true,
    });
    const lateErrors: Array<unknown> = [];
    late.addEventListener('error', (e) =>
      lateErrors.push((e as TracerErrorEvent).error),
    );
    for (let i = 0; i < 10; i++) late.startSpan('x').end();
    expect(lateErrors).toHaveLength(1);
    expect((lateErrors[0] as Error).message).toBe('failed after 2');
  });
});

function failAfter(n: number) {
  let count = 0;
  return () => {
    if (++count > n) throw new Error(`failed after ${n}`);
  };
}

describe('global tracer', () => {
  test('defaults to a no-op tracer whose spans are one shared non-recording span', () => {
    expect(getTracer()).toBe(noopTracer);
    expect(getTracer().enabled).toBe(false);
    const a = getTracer().startSpan('a');
    const b = getTracer().startSpan('b');
    expect(a).toBe(b);
    expect(a.isRecording()).toBe(false);
    a.setAttribute('x', 1).addEvent('e').end();
  });

  test('setTracer swaps it and returns the previous one; undefined restores no-op', () => {
    const tracer = new Tracer({ context: 'shim' });
    expect(setTracer(tracer)).toBe(noopTracer);
    expect(getTracer()).toBe(tracer);
    expect(getTracer().startSpan('real')).toBeInstanceOf(Span);
    expect(setTracer(undefined)).toBe(tracer);
    expect(getTracer()).toBe(noopTracer);
  });
});

describe('Tracer, user code that misbehaves', () => {
  test('a kind that is not a SpanKind becomes INTERNAL, and the JSONL stays valid', () => {
    const { tracer, records } = collecting();
    tracer.startSpan('a', { kind: 'server' as any }).end();
    tracer.startSpan('b', { kind: 9 as any }).end();
    tracer.startSpan('c', { kind: 1.5 as any }).end();
    const spans = records().filter((r) => r.type === 'span');
    expect(spans.map((s) => s.kind)).toEqual([0, 0, 0]);
  });

  test('a throwing sampler samples nothing; a throwing processor is reported, not thrown', () => {
    const errors: Array<unknown> = [];
    const failing = {
      onStart() {
        throw new Error('onStart broke');
      },
      onEnd() {
        throw new Error('onEnd broke');
      },
      flush: async () => {},
      flushSync() {},
      close: async () => {},
    };
    const tracer = new Tracer({ output: failing, context: 'shim' });
    tracer.addEventListener('error', (e) =>
      errors.push((e as TracerErrorEvent).error),
    );
    expect(() => tracer.startSpan('s').end()).not.toThrow();
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'onStart broke',
      'onEnd broke',
    ]);
    const unsampled = new Tracer({
      context: 'shim',
      sampler: {
        shouldSample() {
          throw new Error('sampler broke');
        },
      },
    });
    expect(unsampled.startSpan('x').isRecording()).toBe(false);
  });

  test('a failed construction closes the outputs it opened, not the caller’s processors', () => {
    let closed = 0;
    const mine = {
      onStart() {},
      onEnd() {},
      flush: async () => {},
      flushSync() {},
      close: async () => {
        closed++;
      },
    };
    expect(() => new Tracer({ output: [mine, 'fd:x'] })).toThrow(TypeError);
    expect(closed).toBe(0);
  });
});
