import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { assignLanes, formatDuration } from '../../src/reader/index.js';

describe('lanes and formatting', () => {
  test('overlapping non-nested spans never share a lane', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ start: fc.nat(1000), len: fc.nat(300) }), {
          maxLength: 60,
        }),
        (raw) => {
          const items = raw.map((r, i) => ({
            id: String(i),
            start: r.start,
            end: r.start + r.len,
          }));
          const lanes = assignLanes(items);
          for (const a of items) {
            for (const b of items) {
              if (a === b || lanes.get(a.id) !== lanes.get(b.id)) continue;
              const overlap = a.start < b.end && b.start < a.end;
              const nested =
                (a.start <= b.start && b.end <= a.end) ||
                (b.start <= a.start && a.end <= b.end);
              if (overlap && !nested) return false;
            }
          }
          return true;
        },
      ),
    );
  });

  test('durations in human units', () => {
    expect(formatDuration(850)).toBe('850ns');
    expect(formatDuration(12345)).toBe('12.3µs');
    expect(formatDuration(999700)).toBe('1.00ms');
    expect(formatDuration(1250000)).toBe('1.25ms');
    expect(formatDuration(3.4e9)).toBe('3.40s');
    expect(formatDuration(123e9)).toBe('2m 03s');
    expect(formatDuration(3.72e12)).toBe('1h 02m');
  });
});
