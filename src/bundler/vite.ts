/**
 * `spantrail/vite`: the await transform as a Vite (and Rollup) plugin.
 *
 * ```ts
 * import { defineConfig } from 'vite';
 * import spantrail from 'spantrail/vite';
 * export default defineConfig({ plugins: [spantrail()] });
 * ```
 *
 * @module
 */
import type { AwaitPluginOptions } from './plugin.js';
import { createAwaitTransform } from './plugin.js';

/** The part of the Vite/Rollup plugin interface the plugin uses. */
type VitePlugin = {
  name: string;
  configResolved(config: { root: string }): void;
  transform(
    code: string,
    id: string,
  ): { code: string; map: { toString(): string } } | undefined;
};

/**
 * A Vite/Rollup plugin that rewrites the `await`s of the selected files
 * (see `docs/context.md`). It runs after Vite's own TypeScript and JSX
 * transform, and returns a source map that Vite chains to theirs.
 */
function spantrailVite(options: AwaitPluginOptions = {}): VitePlugin {
  let transform = createAwaitTransform(options);
  return {
    name: 'spantrail-await',
    configResolved(config) {
      transform = createAwaitTransform(options, config.root);
    },
    transform(code, id) {
      return transform(code, id);
    },
  };
}

export type { AwaitPluginOptions, VitePlugin };
export default spantrailVite;
