import { describe, expect, test } from '@jest/globals';
import { Tracer } from '../../src/index.js';
import NonRecordingSpan from '../../src/NonRecordingSpan.js';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioSampler,
} from '../../src/sampling/index.js';
import { collecting } from '../utils/collecting.js';

describe('samplers', () => {
  test('TraceIdRatioSampler rejects ratios outside [0, 1]', () => {
    expect(() => new TraceIdRatioSampler(1.5)).toThrow(TypeError);
    expect(() => new TraceIdRatioSampler(NaN)).toThrow(/ratio/);
  });

  test('always-off spans are non-recording, write nothing, and children follow', () => {
    const { tracer, records } = collecting({ sampler: new AlwaysOffSampler() });
    const span = tracer.startSpan('off');
    expect(span).toBeInstanceOf(NonRecordingSpan);
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags).toBe(0);
    const child = tracer.startSpan('child', { parent: span });
    expect(child.isRecording()).toBe(false);
    expect(child.traceId).toBe(span.traceId);
    span.setAttribute('x', 1);
    span.end();
    child.end();
    tracer.flushSync();
    expect(records().map((r) => r.type)).toEqual(['meta']);
    expect(tracer.openSpans).toBe(0);
  });

  test('children of an unsampled local span follow it even under always-on', () => {
    const off = new Tracer({
      sampler: new AlwaysOffSampler(),
      context: 'shim',
    });
    const on = new Tracer({ sampler: new AlwaysOnSampler(), context: 'shim' });
    const parent = off.startSpan('p');
    expect(on.startSpan('c', { parent }).isRecording()).toBe(false);
    // a subclass of it too; an ended recording span still parents recording
    // children
    class Quiet extends NonRecordingSpan {}
    const quiet = new Quiet(on, parent.spanContext());
    expect(on.startSpan('c', { parent: quiet }).isRecording()).toBe(false);
    const ended = on.startSpan('ended');
    ended.end();
    expect(on.startSpan('c', { parent: ended }).isRecording()).toBe(true);
  });

  test('trace-id ratio decides by trace id, consistently, near the ratio', () => {
    const sampler = new TraceIdRatioSampler(0.25);
    const { tracer } = collecting({ sampler });
    let sampled = 0;
    for (let i = 0; i < 4000; i++) {
      const span = tracer.startSpan('r', { parent: null });
      expect(sampler.shouldSample(span.traceId)).toBe(span.isRecording());
      if (span.isRecording()) sampled++;
    }
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
    expect(new TraceIdRatioSampler(0).shouldSample('f'.repeat(32))).toBe(false);
    expect(new TraceIdRatioSampler(1).shouldSample('0'.repeat(32))).toBe(true);
  });

  test('parent-based follows the sampled flag of remote parents and asks root otherwise', () => {
    const { tracer } = collecting({
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    });
    expect(tracer.startSpan('root').isRecording()).toBe(false);
    const sampledParent = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 1,
    };
    const unsampledParent = { ...sampledParent, traceFlags: 0 };
    expect(tracer.startSpan('c', { parent: sampledParent }).isRecording()).toBe(
      true,
    );
    expect(
      tracer.startSpan('c', { parent: unsampledParent }).isRecording(),
    ).toBe(false);
    expect(new ParentBasedSampler().toString()).toBe(
      'ParentBased{root=AlwaysOnSampler}',
    );
  });
});
