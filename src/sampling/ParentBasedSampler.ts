import type { Sampler, SpanContext } from '../types.js';
import AlwaysOnSampler from './AlwaysOnSampler.js';
import { TraceFlags } from '../constants.js';

/**
 * Follows the parent's decision (its sampled flag), and asks `root` for
 * spans that have no parent.
 */
class ParentBasedSampler implements Sampler {
  public readonly root: Sampler;

  public constructor(options: { root?: Sampler } = {}) {
    this.root = options.root ?? new AlwaysOnSampler();
  }

  public shouldSample(
    traceId: string,
    name: string,
    parent: SpanContext | undefined,
  ): boolean {
    if (parent == null) return this.root.shouldSample(traceId, name, parent);
    return (
      ((parent.traceFlags ?? TraceFlags.SAMPLED) & TraceFlags.SAMPLED) !== 0
    );
  }

  public toString(): string {
    return `ParentBased{root=${this.root.toString()}}`;
  }
}

export default ParentBasedSampler;
