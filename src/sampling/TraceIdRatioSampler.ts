import type { Sampler } from '../types.js';
import { toText } from '../utils/attributes.js';

/**
 * Records a fixed fraction of traces, decided from the trace id alone so
 * every process that sees the id decides the same. It reads the last 8 hex
 * digits, which are random in both spantrail and W3C trace ids (the leading
 * ones of a spantrail id are a timestamp).
 */
class TraceIdRatioSampler implements Sampler {
  public readonly ratio: number;
  protected bound: number;

  public constructor(ratio: number) {
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
      throw new TypeError(
        `sampler: ratio must be a number from 0 to 1, got ${toText(ratio)}`,
      );
    }
    this.ratio = ratio;
    this.bound = Math.floor(ratio * 0x100000000);
  }

  /** A trace id that is not a string is not sampled (unless ratio is 1). */
  public shouldSample(traceId: string): boolean {
    if (this.ratio >= 1) return true;
    if (typeof traceId !== 'string') return false;
    const low = parseInt(traceId.slice(-8), 16);
    return Number.isFinite(low) && low < this.bound;
  }

  public toString(): string {
    return `TraceIdRatioSampler{${this.ratio}}`;
  }
}

export default TraceIdRatioSampler;
