import type { Parameters } from 'fast-check';

/**
 * fast-check parameters shared by the property tests: the seed is printed
 * so that a failure can be replayed with `FC_SEED=<seed>` (and `FC_PATH` for
 * the shrunk counterexample fast-check reports).
 */
function fcParams<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const fromEnv = process.env.FC_SEED;
  const seed =
    fromEnv != null && fromEnv !== ''
      ? Number(fromEnv)
      : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const params: Parameters<T> = { seed, ...overrides };
  if (process.env.FC_PATH != null) params.path = process.env.FC_PATH;
  console.log(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);
  return params;
}

export { fcParams };
