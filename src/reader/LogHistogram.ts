import { toText } from '../utils/attributes.js';

/** Longest dense bucket array; past it the buckets go into a Map. */
const denseLimit = 4096;

/**
 * Bounded-memory distribution of non-negative values (span durations in
 * nanoseconds) with quantiles within a known relative error.
 *
 * Values go into logarithmic buckets `(γ^(i-1), γ^i]` with
 * `γ = (1 + α) / (1 - α)`; a bucket is reported as `2γ^i / (γ + 1)`, which is
 * within `α` (relative) of every value in it (the DDSketch construction).
 * With the default `α = 1%`, durations from 1 ns to a day need at most
 * ~1,600 buckets, whatever the count. Count, sum, min and max are exact.
 * While there are at most `exactLimit` values they are also kept verbatim,
 * so small samples report exact quantiles.
 */
class LogHistogram {
  /** Relative error bound of quantiles taken from the buckets. */
  public readonly relativeError: number;
  public count: number = 0;
  public sum: number = 0;
  public min: number = Infinity;
  public max: number = -Infinity;
  protected gamma: number;
  protected logGamma: number;
  protected zeros: number = 0;
  /** Bucket counts by index, once the dense array would be too long. */
  protected buckets: Map<number, number> = new Map();
  /**
   * Counts of buckets `low`, `low + 1`, ... while they span at most
   * `denseLimit` (always, with the default error): no hashing per value.
   */
  protected dense: Array<number> | undefined = [];
  protected low: number = 0;
  protected used: number = 0;
  protected exact: Array<number> | undefined = [];
  protected exactLimit: number;

  /**
   * Throws a `TypeError` unless `relativeError` is a number in (0, 1) and
   * `exactLimit` a non-negative number.
   */
  constructor(relativeError: number = 0.01, exactLimit: number = 256) {
    if (
      typeof relativeError !== 'number' ||
      !(relativeError > 0 && relativeError < 1)
    ) {
      throw new TypeError(
        `LogHistogram: relativeError must be a number in (0, 1), got ${toText(relativeError)}`,
      );
    }
    if (typeof exactLimit !== 'number' || !(exactLimit >= 0)) {
      throw new TypeError(
        `LogHistogram: exactLimit must be a non-negative number, got ${toText(exactLimit)}`,
      );
    }
    this.relativeError = relativeError;
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
    this.exactLimit = exactLimit;
  }

  /** Adds one value (negative, non-finite and non-numbers are ignored). */
  public add(value: number): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      return;
    }
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact != null) {
      if (this.exact.length < this.exactLimit) this.exact.push(value);
      else this.exact = undefined;
    }
    if (value < 1) {
      this.zeros++;
      return;
    }
    const i = Math.ceil(Math.log(value) / this.logGamma);
    const dense = this.dense;
    if (dense !== undefined) {
      const at = i - this.low;
      if (at >= 0 && at < dense.length) {
        if (dense[at]++ === 0) this.used++;
        return;
      }
      if (this.growDense(i)) return;
    }
    const n = this.buckets.get(i) ?? 0;
    if (n === 0) this.used++;
    this.buckets.set(i, n + 1);
  }

  /**
   * Counts `i` in the dense array, grown to hold it (amortised: it at least
   * doubles); false, having moved the counts to the Map, when it would
   * span too many buckets or `i` is not an integer.
   */
  protected growDense(i: number): boolean {
    const dense = this.dense!;
    if (Number.isSafeInteger(i)) {
      if (dense.length === 0) {
        this.low = i;
        dense.push(1);
        this.used++;
        return true;
      }
      const high = this.low + dense.length - 1;
      if (Math.max(high, i) - Math.min(this.low, i) < denseLimit) {
        if (i < this.low) {
          const grow = Math.max(this.low - i, dense.length);
          const front = new Array<number>(grow).fill(0);
          this.dense = front.concat(dense);
          this.low -= grow;
        } else {
          const grow = Math.max(i - high, dense.length);
          for (let k = 0; k < grow; k++) dense.push(0);
        }
        this.dense![i - this.low]++;
        this.used++;
        return true;
      }
    }
    for (let at = 0; at < dense.length; at++) {
      if (dense[at] > 0) this.buckets.set(this.low + at, dense[at]);
    }
    this.dense = undefined;
    return false;
  }

  /** Number of buckets in use (the memory the histogram holds). */
  public get size(): number {
    return this.used;
  }

  /**
   * The `q` quantile (0..1) by nearest rank; exact while the sample is
   * small, else within {@link LogHistogram.relativeError}. `NaN` if empty
   * or `q` is not a number.
   */
  public quantile(q: number): number {
    if (this.count === 0 || typeof q !== 'number' || q !== q) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    if (this.exact != null) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    if (rank === this.count) return this.max;
    let seen = this.zeros;
    if (seen >= rank) return this.min;
    const dense = this.dense;
    const keys =
      dense !== undefined
        ? dense.flatMap((n, at) => (n > 0 ? [this.low + at] : []))
        : [...this.buckets.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      seen += dense !== undefined ? dense[k - this.low] : this.buckets.get(k)!;
      if (seen >= rank) {
        const estimate = (2 * Math.pow(this.gamma, k)) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }
}

export default LogHistogram;
