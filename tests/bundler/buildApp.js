/**
 * Builds the test app (`app/`) into `outDir`, in a process of its own:
 * `node buildApp.js <vite|esbuild|esbuild-plain> <outDir>`. `vite` and
 * `esbuild` use the await transform (`spantrail/vite`,
 * `spantrail/esbuild`, the package resolving itself by name), limited to
 * the app's sources; `esbuild-plain` is the same build without it. Each
 * writes `index.html`, the bundle and its source map.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.join(here, 'app');
const [kind, outDir] = process.argv.slice(2);

if (kind === 'vite') {
  const { build } = await import('vite');
  const { default: spantrail } = await import('spantrail/vite');
  await build({
    root: appDir,
    configFile: false,
    logLevel: 'warn',
    plugins: [spantrail({ include: [path.join(appDir, 'src')] })],
    build: { outDir, emptyOutDir: true, sourcemap: true, minify: false },
  });
} else if (kind === 'esbuild' || kind === 'esbuild-plain') {
  const esbuild = await import('esbuild');
  const { default: spantrail } = await import('spantrail/esbuild');
  await esbuild.build({
    entryPoints: [path.join(appDir, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    outfile: path.join(outDir, 'main.js'),
    logLevel: 'warning',
    plugins:
      kind === 'esbuild'
        ? [spantrail({ include: [path.join(appDir, 'src')] })]
        : [],
  });
  fs.writeFileSync(
    path.join(outDir, 'index.html'),
    fs
      .readFileSync(path.join(appDir, 'index.html'), 'utf8')
      .replace('/src/main.ts', '/main.js'),
  );
} else {
  throw new Error(`unknown build ${kind}`);
}
