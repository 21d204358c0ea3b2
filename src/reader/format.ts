/**
 * Human formatting of durations and times, shared by the CLI and the HTML
 * report.
 */

/** Three significant digits, without trailing noise. */
function sig3(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** [upper bound in ns, nanoseconds per unit, unit]. */
const units: Array<[number, number, string]> = [
  [1e6, 1e3, 'µs'],
  [1e9, 1e6, 'ms'],
  [60e9, 1e9, 's'],
];

/**
 * Formats nanoseconds in human units with three significant digits:
 * `850ns`, `12.3µs`, `1.25ms`, `3.40s`, `2m 03s`, `1h 02m`.
 */
function formatDuration(ns: number): string {
  if (typeof ns !== 'number' || !Number.isFinite(ns)) return '-';
  if (ns < 0) return '-' + formatDuration(-ns);
  if (ns < 999.5) return `${Math.round(ns)}ns`;
  for (const [limit, scale, unit] of units) {
    const text = sig3(ns / scale);
    // Rounding can carry into the next unit (999.7µs is 1.00ms).
    if (ns < limit && Number(text) < 1000) return `${text}${unit}`;
  }
  const totalSeconds = Math.round(ns / 1e9);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${m}m ${String(s).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(ns / 60e9);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return `${h}h ${String(m).padStart(2, '0')}m`;
}

/**
 * Formats epoch microseconds as an ISO-8601 UTC time with milliseconds;
 * `-` for what is not a number.
 */
function formatTime(micros: number): string {
  if (typeof micros !== 'number') return '-';
  const d = new Date(Math.floor(micros / 1000));
  return Number.isNaN(d.getTime()) ? String(micros) : d.toISOString();
}

/**
 * Shortens an id for display: the first `n` hex characters (8 when `n` is
 * not a number); empty for what is not a string.
 */
function shortId(id: string, n: number = 8): string {
  if (typeof id !== 'string') return '';
  return id.slice(0, typeof n === 'number' ? n : 8);
}

/** `1 span`, `2 spans`. */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export { formatDuration, formatTime, shortId, plural };
