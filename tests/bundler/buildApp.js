/**
 * Builds the test app (`app/`) into `outDir`, in a process of its own:
 * `node buildApp.js <vite|vite-dev|esbuild|esbuild-plain> <outDir>`. `vite` and
 * `esbuild` use the await transform (`spantrail/vite`,
 * `spantrail/esbuild`, the package resolving itself by name), limited to
 * the app's sources; `esbuild-plain` is the same build without it. Each
 * writes `index.html`, the bundle and its source map; `vite-dev` serves
 * the app from Vite's dev server instead (see below).
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
} else if (kind === 'vite-dev') {
  // the dev server, with the app's API as middleware; prints its port,
  // then the trace the page posts (as one JSON string), and exits
  const { createServer } = await import('vite');
  const { default: spantrail } = await import('spantrail/vite');
  const { handleApi } = await import('./appApi.js');
  let server;
  const onTrace = (trace) => {
    process.stdout.write(`TRACE ${JSON.stringify(trace)}\n`);
    void server.close().then(() => process.exit(0));
  };
  server = await createServer({
    root: appDir,
    configFile: false,
    logLevel: 'warn',
    cacheDir: path.join(outDir, '.vite'),
    plugins: [
      spantrail({ include: [path.join(appDir, 'src')] }),
      {
        name: 'app-api',
        configureServer(s) {
          s.middlewares.use((req, res, next) => {
            if (!handleApi(req, res, onTrace)) next();
          });
        },
      },
    ],
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  process.stdout.write(`PORT ${server.httpServer.address().port}\n`);
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
