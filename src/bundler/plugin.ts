import type { FilterOptions } from './filter.js';
import { createFilter } from './filter.js';
import { transformAwaits } from './transform.js';
import { toText } from '../utils/attributes.js';

/** Options of `spantrail/esbuild` and `spantrail/vite`. */
type AwaitPluginOptions = FilterOptions & {
  /**
   * The module the rewritten files import the runtime from; default
   * `'spantrail/bundler/runtime'`.
   */
  runtime?: string;
};

/**
 * The transform behind both plugins: undefined for a file the filter
 * leaves out or with nothing to rewrite.
 */
function createAwaitTransform(
  options: AwaitPluginOptions = {},
  root?: string,
): (code: string, id: string) => ReturnType<typeof transformAwaits> {
  const filter = createFilter(options, root);
  let runtime: unknown;
  try {
    runtime = options?.runtime;
  } catch {
    throw new TypeError('runtime: the options cannot be read');
  }
  if (runtime != null && typeof runtime !== 'string') {
    throw new TypeError(
      `runtime: expected a module name, got ${toText(runtime)}`,
    );
  }
  return (code, id) =>
    filter(id)
      ? transformAwaits(code, { id, runtime: runtime as string | undefined })
      : undefined;
}

export type { AwaitPluginOptions };
export { createAwaitTransform };
