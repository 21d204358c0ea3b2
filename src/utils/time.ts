import type { TimeInput } from '../types.js';

const timeOrigin = performance.timeOrigin;
const relativeTimeBound = 1e11;

/**
 * Epoch microseconds of a `performance.now()` reading. Integer maths on the
 * sum keeps 1 us resolution up to the year 2255 within 2^53.
 */
function perfToEpochMicros(perfNow: number): number {
  return Math.floor((timeOrigin + perfNow) * 1000);
}

/**
 * Converts an OpenTelemetry time input into a `performance.now()`-based
 * reading in milliseconds, the clock spans are timed on.
 */
function timeInputToPerf(time: TimeInput): number {
  if (typeof time === 'number') {
    // OpenTelemetry treats numbers below timeOrigin as relative, which
    // misreads epoch times from just before the process started; a
    // performance.now() reading below 1e11 ms means 3 years of uptime
    return time < relativeTimeBound ? time : time - timeOrigin;
  }
  if (time instanceof Date) return time.getTime() - timeOrigin;
  if (Array.isArray(time) && time.length === 2) {
    return time[0] * 1e3 + time[1] / 1e6 - timeOrigin;
  }
  return performance.now();
}

export { timeOrigin, perfToEpochMicros, timeInputToPerf };
