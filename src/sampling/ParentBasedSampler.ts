import type { Sampler, SpanContext } from '../types.js';
import AlwaysOnSampler from './AlwaysOnSampler.js';
import { TraceFlags } from '../constants.js';
import { toText } from '../utils/attributes.js';

/**
 * Follows the parent's decision (its sampled flag), and asks `root` for
 * spans that have no parent, or whose flags cannot be read.
 */
class ParentBasedSampler implements Sampler {
  public readonly root: Sampler;

  /** Throws a `TypeError` when `root` is given and is not a sampler. */
  public constructor(options: { root?: Sampler } = {}) {
    let root: unknown;
    try {
      root = options?.root;
    } catch {
      throw new TypeError('ParentBasedSampler: options cannot be read');
    }
    if (root != null && !isSampler(root)) {
      throw new TypeError(
        `ParentBasedSampler: root must be a sampler (with shouldSample), got ${toText(root)}`,
      );
    }
    this.root = (root as Sampler | undefined) ?? new AlwaysOnSampler();
  }

  public shouldSample(
    traceId: string,
    name: string,
    parent: SpanContext | undefined,
  ): boolean {
    let flags: unknown;
    try {
      flags = parent?.traceFlags;
    } catch {
      // a parent that cannot be read counts as none
      parent = undefined;
    }
    if (parent == null) return this.root.shouldSample(traceId, name, parent);
    // absent flags mean sampled, as in a spantrail span context
    return typeof flags === 'number'
      ? (flags & TraceFlags.SAMPLED) !== 0
      : flags == null;
  }

  public toString(): string {
    return `ParentBased{root=${toText(this.root)}}`;
  }
}

function isSampler(value: unknown): boolean {
  try {
    return typeof (value as Sampler).shouldSample === 'function';
  } catch {
    return false;
  }
}

export default ParentBasedSampler;
