// Builds dist/: declarations from tsc, JavaScript from esbuild, one file per
// entry point plus shared chunks. A process loads a handful of modules
// instead of one per source file, which is most of the package's import
// time (measured in benches/cases/import-time.js).
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const dist = new URL('../dist/', import.meta.url);
fs.rmSync(dist, { recursive: true, force: true });

// types only: the declarations keep the source layout
execFileSync(
  process.execPath,
  [
    'node_modules/typescript/bin/tsc',
    '-p',
    'tsconfig.build.json',
    '--emitDeclarationOnly',
  ],
  { stdio: 'inherit' },
);

const common = {
  bundle: true,
  format: 'esm',
  // no `node:` import is static: one build serves Node, Deno, Bun, browsers
  platform: 'neutral',
  target: 'es2022',
  // dependencies stay dependencies
  packages: 'external',
  // class and function names show in stack traces and span names
  keepNames: true,
  legalComments: 'none',
  // the build knows its own side effects (the output factory registers
  // itself); package.json's `sideEffects` speaks of dist/, for bundlers of
  // programs that use spantrail
  ignoreAnnotations: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: {
    index: 'src/index.ts',
    register: 'src/register.ts',
    'reader/index': 'src/reader/index.ts',
    'otel/index': 'src/otel/index.ts',
    'bundler/index': 'src/bundler/index.ts',
    'bundler/esbuild': 'src/bundler/esbuild.ts',
    'bundler/vite': 'src/bundler/vite.ts',
    'bundler/runtime': 'src/bundler/runtime.ts',
    // loaded by Node's module hooks thread from next to the preload
    loaderHooks: 'src/asyncInit/loaderHooks.ts',
  },
  outdir: 'dist',
  splitting: true,
  // shared chunks sit beside index.js and register.js, so that code
  // resolving files relative to itself sees the same folder either way
  chunkNames: '[name]-[hash]',
});

// The command, a process of its own, built apart: the HTML report embeds
// a function's source (`Function.prototype.toString`), which must not call
// the helper that keepNames adds
await build({
  ...common,
  keepNames: false,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: 'dist',
});

// `--require spantrail/register`: a CommonJS file that requires the ESM
await build({
  ...common,
  bundle: false,
  format: 'cjs',
  platform: 'node',
  entryPoints: ['src/register.cts'],
  outfile: 'dist/register.cjs',
});

fs.chmodSync(new URL('cli/main.js', dist), 0o755);
