/**
 * `npm run bench:browser`: the cost of the await transform in Chromium. One
 * page holds the same workload twice (benches/browser/workload.js), once
 * rewritten by `spantrail/esbuild` and once as it is, and times a traced
 * async call and a plain async call in paired rounds (each pair back to
 * back, in alternating order). One run; prints the median ns per call of
 * each variant and the median of the per-pair ratios.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '../tests/utils/chromium.js';
import { machine } from './lib/machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const quick = process.argv.includes('--quick');
const n = quick ? 2_000 : 5_000;
const rounds = quick ? 5 : 31;

async function bundle() {
  const esbuild = await import('esbuild');
  const { default: spantrail } = await import(
    path.join(root, 'dist/bundler/esbuild.js')
  );
  // the copy that is rewritten lives beside the entry, under another name
  const rewritten = path.join(here, 'browser', 'rewritten.js');
  fs.copyFileSync(path.join(here, 'browser', 'workload.js'), rewritten);
  try {
    const result = await esbuild.build({
      entryPoints: [path.join(here, 'browser', 'entry.js')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'warning',
      plugins: [spantrail({ include: [rewritten] })],
    });
    const code = result.outputFiles[0].text;
    const frames = code.match(/__spantrail\$f\d* = /g)?.length ?? 0;
    if (frames !== 3) throw new Error(`${frames} functions rewritten, not 3`);
    return code;
  } finally {
    fs.rmSync(rewritten, { force: true });
  }
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/bundler/esbuild.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const code = await bundle();
  const server = http.createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(code);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><script type="module" src="/bundle.js"></script>',
      );
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const executablePath =
    process.env.CHROMIUM ??
    execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => globalThis.runBench != null);
    const version = browser.version();
    const result = await page.evaluate((o) => globalThis.runBench(o), {
      n,
      rounds,
    });
    const m = machine();
    console.log(
      `await transform in Chromium ${version}${quick ? ' (quick)' : ''}: ` +
        `${m.cpu}, ${m.cores} cores; ${rounds} rounds of ${n} sequential traced calls (20x as many plain calls), median`,
    );
    for (const [name, ns] of Object.entries(result.ns)) {
      console.log(`  ${name.padEnd(32)} ${ns.toFixed(0).padStart(7)} ns/call`);
    }
    for (const [kind, r] of Object.entries(result.ratios)) {
      console.log(
        `  ${kind}: transformed/original = ${r.median.toFixed(2)} ` +
          `(median of ${rounds} paired rounds; range ${r.min.toFixed(2)}-${r.max.toFixed(2)})`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
