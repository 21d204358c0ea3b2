import type { Sampler } from '../types.js';

/** Records every span (the default). */
class AlwaysOnSampler implements Sampler {
  public shouldSample(): boolean {
    return true;
  }

  public toString(): string {
    return 'AlwaysOnSampler';
  }
}

export default AlwaysOnSampler;
