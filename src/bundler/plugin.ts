import type { FilterOptions } from './filter.js';
import { createFilter } from './filter.js';
import { transformAwaits } from './transform.js';

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
  const runtime = options.runtime;
  return (code, id) =>
    filter(id) ? transformAwaits(code, { id, runtime }) : undefined;
}

export type { AwaitPluginOptions };
export { createAwaitTransform };
