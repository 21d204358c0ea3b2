import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import {
  SpanKind as OtelSpanKind,
  SpanStatusCode as OtelStatus,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Tracer } from '../../src/index.js';
import type Span from '../../src/Span.js';
import type { SpanProcessor } from '../../src/types.js';
import { SpanKind, SpanStatusCode } from '../../src/constants.js';
import ProtobufWriter from '../../src/otlp/ProtobufWriter.js';
import { encodeTracesData } from '../../src/otlp/protobuf.js';
import { batchToTracesData } from '../../src/otlp/mapping.js';
import { toOtlpSpan } from '../../src/format/otlp.js';
import { convertIds, decodeRequest, otlpProto } from './helpers.js';
import { fcParams } from '../utils/fc.js';

const Request = protobuf
  .parse(otlpProto)
  .root.lookupType('otlp.ExportTraceServiceRequest');

/** A processor keeping ended spans, to encode them afterwards. */
function collector(): SpanProcessor & { spans: Array<Span> } {
  const spans: Array<Span> = [];
  return {
    spans,
    onStart() {},
    onEnd(span) {
      spans.push(span);
    },
    flush: async () => {},
    flushSync() {},
    close: async () => {},
  };
}

/**
 * What the OTLP/JSON data means as protobuf, through protobufjs's own
 * encoder: the reference our bytes must decode to.
 */
function viaProtobufjs(json: any): any {
  const bytes = Request.encode(
    Request.fromObject(convertIds(json, 'hex', 'base64')),
  ).finish();
  return decodeRequest(bytes);
}

const resourceFor = () => [
  { key: 'service.name', value: { stringValue: 'svc' } },
];

describe('the test schema', () => {
  test('decodes what the official OpenTelemetry encoder writes', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('scope-a', '1.2.3');
    const parent = tracer.startSpan('parent', { kind: OtelSpanKind.SERVER });
    const { trace, context } = await import('@opentelemetry/api');
    const child = tracer.startSpan(
      'child',
      {
        kind: OtelSpanKind.CLIENT,
        attributes: { s: 'x', i: -7, d: 1.5, b: false, a: ['p', 'q'] },
        links: [{ context: parent.spanContext(), attributes: { l: 1 } }],
      },
      trace.setSpan(context.active(), parent),
    );
    child.addEvent('ev', { e: 'v' });
    child.setStatus({ code: OtelStatus.ERROR, message: 'boom' });
    child.end();
    parent.end();
    const spans = memory.getFinishedSpans();
    const decoded = decodeRequest(
      ProtobufTraceSerializer.serializeRequest(spans)!,
    );
    const out = decoded.resourceSpans[0].scopeSpans[0];
    expect(out.scope.name).toBe('scope-a');
    expect(out.scope.version).toBe('1.2.3');
    const c = out.spans.find((s: any) => s.name === 'child');
    const p = out.spans.find((s: any) => s.name === 'parent');
    expect(c.traceId).toBe(child.spanContext().traceId);
    expect(c.spanId).toBe(child.spanContext().spanId);
    expect(c.parentSpanId).toBe(parent.spanContext().spanId);
    expect(p.parentSpanId).toBe('');
    expect(c.kind).toBe(3);
    expect(p.kind).toBe(2);
    const attrs = Object.fromEntries(
      c.attributes.map((kv: any) => [kv.key, kv.value]),
    );
    expect(attrs.s.stringValue).toBe('x');
    expect(attrs.i.intValue).toBe('-7');
    expect(attrs.d.doubleValue).toBe(1.5);
    expect(attrs.b.boolValue).toBe(false);
    expect(attrs.a.arrayValue.values.map((v: any) => v.stringValue)).toEqual([
      'p',
      'q',
    ]);
    expect(c.events[0].name).toBe('ev');
    expect(c.links[0].spanId).toBe(parent.spanContext().spanId);
    expect(c.status).toEqual({ code: 2, message: 'boom' });
    const start = spans.find((s) => s.name === 'child')!.startTime;
    expect(c.startTimeUnixNano).toBe(
      (BigInt(start[0]) * 1_000_000_000n + BigInt(start[1])).toString(),
    );
    await provider.shutdown();
  });
});

describe('encodeTracesData', () => {
  test('encodes spantrail spans as the OTLP/JSON mapping says', () => {
    const sink = collector();
    const tracer = new Tracer({ output: sink, service: 'svc' });
    const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
    const child = tracer.startSpan('child é ✓ '.repeat(20), {
      parent: root,
      kind: SpanKind.CLIENT,
      attributes: {
        str: 'a'.repeat(300),
        empty: '',
        zero: 0,
        neg: -123456789012,
        big: Number.MAX_SAFE_INTEGER,
        dbl: -0.25,
        no: false,
        yes: true,
        strs: ['x', 'é'],
        nums: [1, 2.5, -3],
        bools: [true, false],
      },
      links: [{ context: root.spanContext(), attributes: { why: 'because' } }],
    });
    child.addEvent('e1', { k: 1 });
    child.addEvent('e2');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
    child.end();
    const remoteChild = tracer.startSpan('remote', {
      parent: {
        traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        spanId: 'bbbbbbbbbbbbbbbb',
        isRemote: true,
        traceState: 'k=v',
      },
    });
    remoteChild.end();
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    const data = batchToTracesData(sink.spans, resourceFor);
    const ours = decodeRequest(encodeTracesData(data));
    expect(ours).toEqual(viaProtobufjs(data));
    const spans = ours.resourceSpans[0].scopeSpans[0].spans;
    const c = spans.find((s: any) => s.name.startsWith('child'));
    expect(c.spanId).toBe(child.spanId.slice(-16));
    expect(c.parentSpanId).toBe(root.spanId.slice(-16));
    expect(c.kind).toBe(3);
    const r = spans.find((s: any) => s.name === 'remote');
    expect(r.parentSpanId).toBe('bbbbbbbbbbbbbbbb');
    expect(r.traceState).toBe('k=v');
    expect(r.flags).toBe(0x301);
    // the same spans through the shared mapping
    expect(data.resourceSpans[0].scopeSpans[0].spans[1]).toMatchObject(
      toOtlpSpan({
        ...sink.spans[1],
        attributes: sink.spans[1].attributes ?? {},
        events: [],
        links: [],
      } as any),
    );
  });

  test('any attributes round-trip through the binary encoding', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer({
        min: Number.MIN_SAFE_INTEGER,
        max: Number.MAX_SAFE_INTEGER,
      }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    );
    const value = fc.oneof(
      scalar,
      fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
      fc.array(fc.integer(), { maxLength: 4 }),
      fc.array(fc.boolean(), { maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), value, {
          maxKeys: 12,
        }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        (attributes, name) => {
          const sink = collector();
          const tracer = new Tracer({ output: sink, service: 'svc' });
          const span = tracer.startSpan(name, { attributes });
          span.addEvent(name, attributes);
          span.end();
          const data = batchToTracesData(sink.spans, resourceFor);
          expect(decodeRequest(encodeTracesData(data))).toEqual(
            viaProtobufjs(data),
          );
        },
      ),
      fcParams({ numRuns: 200 }),
    );
  });
});

describe('ProtobufWriter', () => {
  test('varints and lengths of every size agree with protobufjs', () => {
    for (const n of [
      0,
      1,
      127,
      128,
      16383,
      16384,
      2 ** 21,
      2 ** 28,
      2 ** 32 - 1,
    ]) {
      const ours = new ProtobufWriter(1).uint32(n).finish();
      const theirs = protobuf.Writer.create().uint32(n).finish();
      expect(Buffer.from(ours)).toEqual(Buffer.from(theirs));
    }
    for (const n of [-1, -(2 ** 40), 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const ours = new ProtobufWriter(1).int64(n).finish();
      const theirs = protobuf.Writer.create().int64(n).finish();
      expect(Buffer.from(ours)).toEqual(Buffer.from(theirs));
    }
    // a nested body of 200 bytes needs a 2-byte length: the gap is closed
    const w = new ProtobufWriter(1).fork();
    w.string('y'.repeat(198));
    w.join();
    const r = protobuf.Writer.create().fork();
    r.string('y'.repeat(198));
    r.ldelim();
    expect(Buffer.from(w.finish())).toEqual(Buffer.from(r.finish()));
  });
});
