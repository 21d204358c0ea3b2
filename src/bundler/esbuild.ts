/**
 * `spantrail/esbuild`: the await transform as an esbuild plugin.
 *
 * ```ts
 * import { build } from 'esbuild';
 * import spantrail from 'spantrail/esbuild';
 * await build({ entryPoints: ['src/main.ts'], bundle: true,
 *   plugins: [spantrail()] });
 * ```
 *
 * @module
 */
import type { AwaitPluginOptions } from './plugin.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createAwaitTransform } from './plugin.js';

/** The part of esbuild's plugin interface the plugin uses. */
type EsbuildPlugin = {
  name: string;
  setup(build: {
    initialOptions: { absWorkingDir?: string };
    onLoad(
      options: { filter: RegExp; namespace?: string },
      callback: (args: { path: string }) => Promise<
        | {
            contents: string;
            loader: 'js' | 'jsx' | 'ts' | 'tsx';
            resolveDir: string;
          }
        | undefined
      >,
    ): void;
  }): void;
};

const loaders = {
  js: 'js',
  mjs: 'js',
  jsx: 'jsx',
  ts: 'ts',
  mts: 'ts',
  tsx: 'tsx',
} as const;

/**
 * An esbuild plugin that rewrites the `await`s of the selected files (see
 * `docs/context.md`). The rewritten file carries an inline source map,
 * which esbuild composes into the bundle's.
 */
function spantrailEsbuild(options: AwaitPluginOptions = {}): EsbuildPlugin {
  return {
    name: 'spantrail-await',
    setup(build) {
      const transform = createAwaitTransform(
        options,
        build.initialOptions.absWorkingDir,
      );
      build.onLoad(
        { filter: /\.(?:m?[jt]s|[jt]sx)$/, namespace: 'file' },
        async (args) => {
          const ext = path.extname(args.path).slice(1) as keyof typeof loaders;
          const loader = loaders[ext];
          if (loader === undefined) return undefined;
          const code = await fs.readFile(args.path, 'utf8');
          const result = transform(code, args.path);
          if (result === undefined) return undefined;
          return {
            contents: `${result.code}\n//# sourceMappingURL=${result.map.toUrl()}\n`,
            loader,
            resolveDir: path.dirname(args.path),
          };
        },
      );
    },
  };
}

export type { AwaitPluginOptions, EsbuildPlugin };
export default spantrailEsbuild;
