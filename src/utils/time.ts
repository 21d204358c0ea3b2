import type { TimeInput } from '../types.js';

// `performance` is an accessor on Node's global object: the span clock
// reads it once rather than on every call
const clock = performance;
const timeOrigin = clock.timeOrigin;

/** `performance.now()`: the clock spans are timed on, in milliseconds. */
function perfNow(): number {
  return clock.now();
}
const relativeTimeBound = 1e11;
/**
 * The latest epoch millisecond a span may carry: its epoch microseconds
 * stay a safe integer (the year 2255), which every reader accepts.
 */
const maxEpochMs = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Epoch microseconds of a `performance.now()` reading. Integer maths on the
 * sum keeps 1 us resolution up to the year 2255 within 2^53.
 */
function perfToEpochMicros(perfNow: number): number {
  return Math.floor((timeOrigin + perfNow) * 1000);
}

/**
 * Converts an OpenTelemetry time input into a `performance.now()`-based
 * reading in milliseconds, the clock spans are timed on. Returns NaN for
 * anything that is not a time between the epoch and the year 2255 (NaN,
 * infinities, an invalid `Date`, a hostile object): callers fall back to
 * now and count it. Never throws.
 */
function timeInputToPerf(time: TimeInput): number {
  let perf: number;
  if (typeof time === 'number') {
    // OpenTelemetry treats numbers below timeOrigin as relative, which
    // misreads epoch times from just before the process started; a
    // performance.now() reading below 1e11 ms means 3 years of uptime
    perf = time < relativeTimeBound ? time : time - timeOrigin;
  } else {
    perf = objectTimeToPerf(time);
  }
  const epochMs = timeOrigin + perf;
  return epochMs >= 0 && epochMs <= maxEpochMs ? perf : NaN;
}

function objectTimeToPerf(time: unknown): number {
  try {
    if (time instanceof Date) return time.getTime() - timeOrigin;
    if (Array.isArray(time) && time.length === 2) {
      const [seconds, nanos] = time;
      if (typeof seconds === 'number' && typeof nanos === 'number') {
        return seconds * 1e3 + nanos / 1e6 - timeOrigin;
      }
    }
  } catch {
    // a Proxy or a throwing getter is not a time
  }
  return NaN;
}

/**
 * Whether `value` has the shape of a time input (a number, a `Date`, or a
 * pair of numbers), as opposed to attributes. Never throws.
 */
function isTimeInput(value: unknown): value is TimeInput {
  if (typeof value === 'number') return true;
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (
      value instanceof Date ||
      (Array.isArray(value) &&
        value.length === 2 &&
        typeof value[0] === 'number' &&
        typeof value[1] === 'number')
    );
  } catch {
    return false;
  }
}

export {
  perfNow,
  timeOrigin,
  maxEpochMs,
  perfToEpochMicros,
  timeInputToPerf,
  isTimeInput,
};
