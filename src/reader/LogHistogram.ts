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
  protected buckets: Map<number, number> = new Map();
  protected exact: Array<number> | undefined = [];
  protected exactLimit: number;

  constructor(relativeError: number = 0.01, exactLimit: number = 256) {
    this.relativeError = relativeError;
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
    this.exactLimit = exactLimit;
  }

  /** Adds one value (negative and non-finite values are ignored). */
  public add(value: number): void {
    if (!(value >= 0) || value === Infinity) return;
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
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
  }

  /** Number of buckets in use (the memory the histogram holds). */
  public get size(): number {
    return this.buckets.size;
  }

  /**
   * The `q` quantile (0..1) by nearest rank; exact while the sample is
   * small, else within {@link LogHistogram.relativeError}. `NaN` if empty.
   */
  public quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    if (this.exact != null) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    if (rank === this.count) return this.max;
    let seen = this.zeros;
    if (seen >= rank) return this.min;
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      seen += this.buckets.get(k)!;
      if (seen >= rank) {
        const estimate = (2 * Math.pow(this.gamma, k)) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }
}

export default LogHistogram;
