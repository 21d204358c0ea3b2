/**
 * `npm run test:runtimes`: runs the context suite (`suite.js`) against
 * `dist/` on Node with AsyncLocalStorage, Node forced onto the shim, Deno,
 * Bun and headless Chromium, and in Chromium again with the suite built
 * with the await transform (`spantrail/esbuild`), where parents after
 * `await` must be exact; and on Node and Deno with the suite built with
 * the transform, where AsyncLocalStorage makes it a no-op. Prints one line per runtime and a final
 * `N passed, N failed` line; exits non-zero on any failure.
 *
 * FC_SEED replays a fast-check seed on every runtime, FC_NUM_RUNS sets the
 * number of runs, RUNTIMES (comma separated: node-als, node-shim, deno,
 * bun, chromium, chromium-plugin, node-als-plugin, deno-plugin) selects runtimes, CHROMIUM the browser binary.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chromiumArgs } from '../utils/chromium.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const timeoutMs = 180_000;

const seed = process.env.FC_SEED
  ? Number(process.env.FC_SEED)
  : (Date.now() ^ Math.floor(Math.random() * 0x100000000)) | 0;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 100;

/** Runs `entry.js` in a child process and parses its JSON line. */
function runChild(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        FC_SEED: String(seed),
        FC_NUM_RUNS: String(numRuns),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: `cannot run ${command}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const out = JSON.parse(line);
        if (code !== 0) out.error = `exit ${code ?? signal}`;
        resolve(out);
      } catch {
        resolve({
          error: `exit ${code ?? signal}, no result\n${(stderr || stdout).slice(-2000)}`,
        });
      }
    });
  });
}

/**
 * Bundles `dist/` and the suite for the browser, with `plugin` the suite
 * alone rewritten by the await transform. A bundle that imports any
 * `node:` module fails: esbuild cannot resolve one for platform=browser, and
 * the metafile and the output are checked too in case one was external.
 */
async function bundleForBrowser(plugin) {
  const esbuild = await import('esbuild');
  const plugins = [];
  if (plugin) {
    const { default: spantrail } = await import(
      path.join(root, 'dist/bundler/esbuild.js')
    );
    plugins.push(spantrail({ include: [path.join(here, 'suite.js')] }));
  }
  const result = await esbuild.build({
    plugins,
    entryPoints: [path.join(here, 'browser.js')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const nodeImports = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.path.startsWith('node:') || imp.external) {
        nodeImports.push(`${file} imports ${imp.path}`);
      }
    }
  }
  const code = result.outputFiles[0].text;
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:[^"']*["']/g;
  for (const m of code.matchAll(pattern)) nodeImports.push(`bundle: ${m[0]}`);
  if (nodeImports.length > 0) {
    throw new Error(
      `browser bundle imports node: modules: ${nodeImports.join(', ')}`,
    );
  }
  return code;
}

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  return undefined;
}

async function runChromium(plugin = false) {
  let code;
  try {
    code = await bundleForBrowser(plugin);
    // the transform must have run on the suite, and on nothing else
    const rewritten = code.match(/__spantrail\$f = /g)?.length ?? 0;
    if (plugin !== rewritten > 0) {
      throw new Error(`${rewritten} functions rewritten`);
    }
  } catch (e) {
    return { error: e.message ?? String(e) };
  }
  const executablePath = findChromium();
  if (executablePath == null || !existsSync(executablePath)) {
    return { error: 'chromium not found (apt-get install -y chromium)' };
  }
  const server = http.createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(code);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><script type="module" src="/bundle.js"></script>',
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: 60_000,
      args: chromiumArgs,
    });
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => globalThis.runSuite != null, null, {
      timeout: 30_000,
    });
    const out = await page.evaluate((options) => globalThis.runSuite(options), {
      expectDefault: 'shim',
      exactAwait: plugin,
      seed,
      numRuns,
    });
    if (pageErrors.length > 0)
      out.error = `page errors: ${pageErrors.join('; ')}`;
    return out;
  } catch (e) {
    return { error: e.message ?? String(e) };
  } finally {
    await browser?.close();
    server.close();
  }
}

/**
 * The Node entry and the suite bundled with the await transform, for
 * running on Node and Deno: with AsyncLocalStorage there the rewritten
 * suite must behave as the original. Returns the bundle's path.
 */
let pluginBundle;
async function bundleWithPlugin() {
  if (pluginBundle !== undefined) return pluginBundle;
  const esbuild = await import('esbuild');
  const { default: spantrail } = await import(
    path.join(root, 'dist/bundler/esbuild.js')
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'spantrail-runtimes-'));
  pluginBundle = path.join(dir, 'entry-plugin.mjs');
  await esbuild.build({
    entryPoints: [path.join(here, 'entry.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    outfile: pluginBundle,
    logLevel: 'silent',
    plugins: [spantrail({ include: [path.join(here, 'suite.js')] })],
  });
  if (!/__spantrail\$f\d* = /.test(readFileSync(pluginBundle, 'utf8'))) {
    throw new Error('the suite was not rewritten');
  }
  return pluginBundle;
}

async function runWithPlugin(command, args) {
  let bundle;
  try {
    bundle = await bundleWithPlugin();
  } catch (e) {
    return { error: e.message ?? String(e) };
  }
  return runChild(command, [...args, bundle], { SPANTRAIL_CONTEXT: '' });
}

const entry = path.join(here, 'entry.js');
const runtimes = {
  'node-als': () =>
    runChild(process.execPath, [entry], { SPANTRAIL_CONTEXT: '' }),
  'node-shim': () =>
    runChild(process.execPath, [entry], { SPANTRAIL_CONTEXT: 'shim' }),
  deno: () =>
    runChild(bin('deno'), ['run', '-A', entry], { SPANTRAIL_CONTEXT: '' }),
  bun: () => runChild(bin('bun'), [entry], { SPANTRAIL_CONTEXT: '' }),
  'node-als-plugin': () => runWithPlugin(process.execPath, []),
  'deno-plugin': () => runWithPlugin(bin('deno'), ['run', '-A']),
  chromium: () => runChromium(false),
  'chromium-plugin': () => runChromium(true),
};

async function main() {
  if (!existsSync(path.join(root, 'dist/index.js'))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(1);
  }
  const selected = process.env.RUNTIMES
    ? process.env.RUNTIMES.split(',').map((s) => s.trim())
    : Object.keys(runtimes);
  console.log(
    `fast-check seed ${seed} (replay with FC_SEED=${seed}), ${numRuns} runs`,
  );
  let passed = 0;
  let failed = 0;
  for (const name of selected) {
    const run = runtimes[name];
    if (run == null) {
      console.log(`FAIL ${name}: unknown runtime`);
      failed++;
      continue;
    }
    const started = Date.now();
    const out = await run();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const results = out.results ?? [];
    const bad = results.filter((r) => !r.ok);
    if (out.error == null && bad.length === 0 && results.length > 0) {
      passed++;
      console.log(`PASS ${name}: ${results.length} checks (${seconds}s)`);
      for (const r of results) {
        if (r.detail != null) console.log(`  ${r.name}: ${r.detail}`);
      }
    } else {
      failed++;
      console.log(
        `FAIL ${name}: ${results.length - bad.length}/${results.length} checks (${seconds}s)`,
      );
      if (out.error != null)
        console.log(`  ${out.error.replace(/\n/g, '\n  ')}`);
      for (const r of bad) {
        console.log(`  ${r.name}: ${r.error.replace(/\n/g, '\n    ')}`);
      }
    }
  }
  if (pluginBundle !== undefined) {
    rmSync(path.dirname(pluginBundle), { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
