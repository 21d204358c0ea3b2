import { describe, expect, test } from '@jest/globals';
import { Tracer } from '../src/index.js';
import { SpanKind, SpanStatusCode } from '../src/constants.js';
import { spanLine } from '../src/format/writer.js';
import { assertRecord } from './utils/schema.js';

function tracer(limits = {}) {
  return new Tracer({ limits, context: 'shim' });
}

function record(span: any) {
  const r = JSON.parse(spanLine(span));
  assertRecord(r);
  return r;
}

describe('Span', () => {
  test('has OpenTelemetry-shaped identity and defaults', () => {
    const span = tracer().startSpan('work', { parent: null });
    expect(span.name).toBe('work');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.parentId).toBeUndefined();
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext()).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      traceFlags: 1,
    });
    span.end();
    expect(span.isRecording()).toBe(false);
  });

  test('attributes of every awkward type convert or drop, never throw', () => {
    const span = tracer().startSpan('a');
    const circular: any = { a: 1 };
    circular.self = circular;
    span.setAttributes({
      str: 's',
      num: 1.5,
      bool: false,
      arr: ['x', 'y'],
      nums: [1, 2],
      mixed: [1, 'x'],
      obj: { k: [1, 2] },
      big: 12345678901234567890n,
      date: new Date(0),
      nan: NaN,
      inf: -Infinity,
      nested: { big: 1n },
      undef: undefined,
      nul: null,
      sym: Symbol('s'),
      fn: () => 1,
      circ: circular,
      throwing: {
        toJSON() {
          throw new Error('no');
        },
      },
    });
    span.setAttribute(42 as any, 'coerced key');
    span.setAttribute('__proto__', 'safe');
    span.end();
    const r = record(span);
    expect(r.attributes).toEqual({
      str: 's',
      num: 1.5,
      bool: false,
      arr: ['x', 'y'],
      nums: [1, 2],
      mixed: '[1,"x"]',
      obj: '{"k":[1,2]}',
      big: '12345678901234567890',
      date: '1970-01-01T00:00:00.000Z',
      nan: 'NaN',
      inf: '-Infinity',
      nested: '{"big":"1"}',
      circ: '[unreadable]',
      throwing: '[unreadable]',
      '42': 'coerced key',
      ['__proto__']: 'safe',
    });
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(r.dropped).toEqual({ attributes: 4 });
  });

  test('limits cap attributes, events, links and string length, and count drops', () => {
    const span = tracer({
      attributeCountLimit: 3,
      eventCountLimit: 2,
      linkCountLimit: 1,
      attributeValueLengthLimit: 5,
      attributePerEventCountLimit: 1,
    }).startSpan('limited');
    span.setAttributes({ a: '1234567890', b: 2, c: 3, d: 4 });
    span.setAttribute('a', 'replaced is not dropped');
    span.setAttribute('e', 5);
    span.addEvent('e1', { x: 1, y: 2 });
    span.addEvent('e2');
    span.addEvent('e3');
    span.addLink({ traceId: span.traceId, spanId: span.spanId });
    span.addLink({ traceId: span.traceId, spanId: span.spanId });
    span.end();
    const r = record(span);
    // the name 'limited' was cut too, and counted
    expect(r.name).toBe('limit');
    expect(r.attributes).toEqual({
      a: 'repla',
      b: 2,
      c: 3,
      'spantrail.truncated': 1,
    });
    expect(r.events.map((e: any) => e.name)).toEqual(['e1', 'e2']);
    expect(r.events[0]).toMatchObject({ attributes: { x: 1 }, dropped: 1 });
    expect(r.links).toHaveLength(1);
    expect(r.dropped).toEqual({ attributes: 2, events: 1, links: 1 });
  });

  test('the default string limit is 4096', () => {
    const span = tracer().startSpan('long');
    span.setAttribute('s', 'x'.repeat(5000));
    span.end();
    expect(record(span).attributes.s).toHaveLength(4096);
  });

  test('an array is bounded by the length limit as a whole', () => {
    const span = tracer({ attributeValueLengthLimit: 10 }).startSpan('arrays');
    span.setAttribute('short', ['ab', 'cd']);
    span.setAttribute('strings', ['abcd', 'efgh', 'ijkl', 'mnop']);
    span.setAttribute('one', ['x'.repeat(50)]);
    span.setAttribute('numbers', [100, 200, 300, 400]);
    span.setAttribute('huge', new Array(1e6).fill(true));
    span.end();
    expect(record(span).attributes).toEqual({
      short: ['ab', 'cd'],
      strings: ['abcd', 'efgh', 'ij'],
      one: ['x'.repeat(10)],
      numbers: [100, 200, 300],
      huge: [true, true],
    });
  });

  test('addEvent takes attributes or a time, and times are epoch microseconds', () => {
    const span = tracer().startSpan('events');
    const at = new Date('2030-01-01T00:00:00.001Z');
    span.addEvent('timed', at);
    span.addEvent('both', { k: 'v' }, [1900000000, 5000]);
    span.end();
    const r = record(span);
    expect(r.events[0]).toEqual({ name: 'timed', time: at.getTime() * 1000 });
    expect(r.events[1]).toEqual({
      name: 'both',
      time: 1900000000000005,
      attributes: { k: 'v' },
    });
  });

  test('addLink accepts a span context or an OpenTelemetry link', () => {
    const t = tracer();
    const other = t.startSpan('other');
    const span = t.startSpan('linked');
    span.addLink(other.spanContext(), { why: 'queue' });
    span.addLink({ context: other.spanContext(), attributes: { n: 2 } });
    span.addLink({ nonsense: true } as any);
    span.end();
    const r = record(span);
    expect(r.links).toEqual([
      {
        traceId: other.traceId,
        spanId: other.spanId,
        attributes: { why: 'queue' },
      },
      { traceId: other.traceId, spanId: other.spanId, attributes: { n: 2 } },
    ]);
    expect(r.dropped).toEqual({ links: 1 });
  });

  test('recordException adds the exception event and sets ERROR', () => {
    const span = tracer().startSpan('fails');
    const error = new RangeError('out of range');
    span.recordException(error);
    span.end();
    const r = record(span);
    expect(r.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'out of range',
    });
    expect(r.events[0].name).toBe('exception');
    expect(r.events[0].attributes).toEqual({
      'exception.type': 'RangeError',
      'exception.message': 'out of range',
      'exception.stacktrace': error.stack,
    });
  });

  test('recordException keeps an explicit ERROR, and overrides OK: a failed span never reads OK', () => {
    const t = tracer();
    const explicit = t.startSpan('explicit');
    explicit.setStatus({ code: SpanStatusCode.ERROR, message: 'mine' });
    explicit.recordException(new Error('theirs'));
    explicit.end();
    expect(record(explicit).status).toEqual({ code: 2, message: 'mine' });
    const ok = t.startSpan('ok');
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.recordException('a string was thrown');
    ok.end();
    const r = record(ok);
    expect(r.status.code).toBe(SpanStatusCode.ERROR);
    expect(r.events[0].attributes).toEqual({
      'exception.type': 'string',
      'exception.message': 'a string was thrown',
    });
  });

  test('setStatus follows OpenTelemetry: UNSET ignored, OK final, unknown codes ignored', () => {
    const span = tracer().startSpan('status');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'first' });
    span.setStatus({ code: SpanStatusCode.UNSET });
    expect(span.status).toEqual({ code: 2, message: 'first' });
    span.setStatus({ code: 7 as any });
    expect(span.status.code).toBe(2);
    span.setStatus({ code: SpanStatusCode.OK, message: 'dropped for OK' });
    expect(span.status).toEqual({ code: 1 });
    span.setStatus({ code: SpanStatusCode.ERROR });
    expect(span.status).toEqual({ code: 1 });
  });

  test('end() twice and changes after end() are ignored', () => {
    const t = tracer();
    const lines: Array<string> = [];
    const traced = new Tracer({
      context: 'shim',
      output: (chunk: string) => lines.push(chunk),
      sync: true,
    });
    const span = traced.startSpan('once');
    span.end();
    const duration = span.duration;
    span.end();
    span.setAttribute('late', 1);
    span.addEvent('late');
    span.updateName('late');
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.recordException(new Error('late'));
    expect(span.duration).toBe(duration);
    const spans = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'span');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: 'once',
      attributes: {},
      events: [],
    });
    expect(traced.openSpans).toBe(0);
    expect(t.openSpans).toBe(0);
  });

  test('updateName coerces and the span record carries the new name', () => {
    const span = tracer().startSpan(123 as any);
    expect(span.name).toBe('123');
    span.updateName({ toString: () => 'renamed' } as any);
    span.end();
    expect(record(span).name).toBe('renamed');
  });

  test('explicit start and end times give exact durations in nanoseconds', () => {
    const start = Date.now() - 1000;
    const span = tracer().startSpan('timed', { startTime: start });
    span.end(start + 1.5);
    const r = record(span);
    expect(r.startTime).toBe(start * 1000);
    expect(r.duration).toBe(1_500_000);
    const backwards = tracer().startSpan('backwards', { startTime: start });
    backwards.end(start - 10);
    expect(backwards.duration).toBe(0);
  });
});

describe('Span, hostile and edge input', () => {
  test('limits of 0 keep no events and no links, and count them', () => {
    const span = tracer({ eventCountLimit: 0, linkCountLimit: 0 }).startSpan(
      'z',
    );
    span.addEvent('e');
    span.addLink({ traceId: span.traceId, spanId: span.spanId });
    span.end();
    const r = record(span);
    expect(r.events).toEqual([]);
    expect(r.links).toEqual([]);
    expect(r.dropped).toEqual({ events: 1, links: 1 });
  });

  test('a primitive link is dropped and counted, not thrown', () => {
    const span = tracer().startSpan('links');
    span.addLink('not a context' as any);
    span.addLink(undefined as any);
    span.end();
    expect(record(span).dropped).toEqual({ links: 2 });
  });

  test('recordException of a value whose getters throw still marks the span', () => {
    const span = tracer().startSpan('hostile');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(() => span.recordException(hostile)).not.toThrow();
    span.end();
    const r = record(span);
    expect(r.status.code).toBe(SpanStatusCode.ERROR);
    expect(r.events[0].name).toBe('exception');
  });
});
