import { describe, expect, test } from '@jest/globals';
import { nameCacheUsage, spanLine } from '../../src/format/writer.js';
import { Tracer } from '../../src/index.js';
import { parseTrace } from '../utils/schema.js';

describe('the span-name JSON cache is bounded in characters', () => {
  test('1,000 distinct long names, and 10,000 short ones, stay under the bound', () => {
    const chunks: Array<string> = [];
    const tracer = new Tracer({
      output: (c: string) => chunks.push(c),
      limits: { attributeValueLengthLimit: Infinity },
    });
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      const span = tracer.startSpan(`${i}:` + 'n'.repeat(1 << 16));
      span.end();
      spanLine(span);
      most = Math.max(most, nameCacheUsage().chars);
    }
    for (let i = 0; i < 10_000; i++) {
      const span = tracer.startSpan(`short ${i} ` + 's'.repeat(200));
      span.end();
      spanLine(span);
      most = Math.max(most, nameCacheUsage().chars);
      expect(nameCacheUsage().names).toBeLessThanOrEqual(1024);
    }
    // 256 Ki characters of names and their JSON
    expect(most).toBeLessThanOrEqual(256 * 1024);
    expect(most).toBeGreaterThan(0);
    tracer.flushSync();
    // long names are written whole (the limit was lifted), not cached
    const spans = parseTrace(chunks.join('')).filter((r) => r.type === 'span');
    expect(spans[0].name).toHaveLength(2 + (1 << 16));
  });
});
