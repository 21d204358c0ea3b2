import type { Sampler } from '../types.js';

/** Records no span. */
class AlwaysOffSampler implements Sampler {
  public shouldSample(): boolean {
    return false;
  }

  public toString(): string {
    return 'AlwaysOffSampler';
  }
}

export default AlwaysOffSampler;
