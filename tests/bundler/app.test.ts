import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { chromiumArgs } from '../utils/chromium.js';
import { parseTrace } from '../utils/schema.js';
// @ts-expect-error: a plain ES module shared with the app's dev server
import { handleApi, itemIds } from './appApi.js';

// A small app (tests/bundler/app) built with Vite and with esbuild, and
// served by Vite's dev server, each with the await transform, run in
// headless Chromium against its own server; its trace, posted back to that server, must have every parent
// right. The same app built without the transform loses parents (and
// never gets one wrong), which shows what the check is checking.

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const appMain = path.join(here, 'app/src/main.ts');
const mimeTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

function chromiumPath(): string {
  return (
    process.env.CHROMIUM ??
    execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  );
}

/** Serves `dir` and the app's API on 127.0.0.1; resolves with the trace. */
function serve(dir: string) {
  let resolveTrace!: (trace: string) => void;
  const trace = new Promise<string>((r) => (resolveTrace = r));
  const server = http.createServer((req, res) => {
    if (handleApi(req, res, resolveTrace)) return;
    const url = req.url ?? '/';
    const file = path.join(dir, url === '/' ? 'index.html' : url);
    if (!file.startsWith(dir) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': mimeTypes[path.extname(file)] ?? 'text/plain',
    });
    res.end(fs.readFileSync(file));
  });
  return { server, trace };
}

/**
 * The app built by `kind` and served: the static build by a server here,
 * or `vite-dev` by Vite's dev server in a child process.
 */
async function start(
  kind: string,
  outDir: string,
): Promise<{ port: number; trace: Promise<string>; stop: () => void }> {
  if (kind !== 'vite-dev') {
    execFileSync(
      process.execPath,
      [path.join(here, 'buildApp.js'), kind, outDir],
      { cwd: root, stdio: 'pipe' },
    );
    const { server, trace } = serve(outDir);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: (server.address() as any).port,
      trace,
      stop: () => {
        server.closeAllConnections();
        server.close();
      },
    };
  }
  const child = spawn(
    process.execPath,
    [path.join(here, 'buildApp.js'), kind, outDir],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const look = () => {
        const m = new RegExp(`^${prefix} (.*)$`, 'm').exec(stdout);
        if (m != null) resolve(m[1]);
      };
      child.stdout.on('data', (d) => {
        stdout += d;
        look();
      });
      child.on('exit', (code) => {
        look();
        reject(new Error(`vite-dev exited ${code}: ${stderr}`));
      });
      look();
    });
  const port = Number(await line('PORT'));
  return {
    port,
    trace: line('TRACE').then((json) => JSON.parse(json)),
    stop: () => child.kill(),
  };
}

type Outcome = {
  spans: Array<any>;
  right: number;
  missing: number;
  wrong: Array<string>;
  outDir: string;
};

async function buildAndRun(kind: string): Promise<Outcome> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `spantrail-${kind}-`));
  const app = await start(kind, outDir);
  const { chromium } = await import('playwright-core');
  let text: string;
  try {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: chromiumArgs,
    });
    try {
      const page = await browser.newPage();
      const errors: Array<string> = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${app.port}/`);
      await page.waitForFunction(
        () => document.title.startsWith('done'),
        null,
        { timeout: 30_000 },
      );
      expect(errors).toEqual([]);
      expect(await page.title()).toBe(
        `done ${itemIds.length},${itemIds.length}`,
      );
      text = await app.trace;
    } finally {
      await browser.close();
    }
  } finally {
    app.stop();
  }
  const spans = parseTrace(text).filter((r) => r.type === 'span');
  const names = new Map<string, string>(spans.map((s) => [s.spanId, s.name]));
  let right = 0;
  let missing = 0;
  const wrong: Array<string> = [];
  for (const s of spans) {
    const want: string = s.attributes['app.expectedParent'];
    const got = s.parentId === undefined ? '' : names.get(s.parentId);
    if (got === want) right++;
    else if (got === '') missing++;
    else wrong.push(`${s.name}: parent ${got}, expected ${want}`);
  }
  return { spans, right, missing, wrong, outDir };
}

// tokens on lines the transform rewrote (bundle text, source text)
const mapped = [
  ['item.id % 3', 'item.id % 3'],
  ['"/api/items"', "'/api/items'"],
  ['"/api/fail"', "'/api/fail'"],
  ['loaded.push', 'loaded.push'],
];

/** Where `needle` in the bundle maps back to, in the app's sources. */
function mapBack(bundle: string, needle: string) {
  const code = fs.readFileSync(bundle, 'utf8');
  const index = code.indexOf(needle);
  expect(index).toBeGreaterThan(-1);
  const before = code.slice(0, index);
  const map = new TraceMap(fs.readFileSync(`${bundle}.map`, 'utf8'));
  const pos = originalPositionFor(map, {
    line: before.split('\n').length,
    column: index - before.lastIndexOf('\n') - 1,
  });
  return {
    source: pos.source?.replace(/^.*\/app\//, 'app/'),
    line: pos.line,
    column: pos.column,
  };
}

/** The line and column of `needle` in the app's main.ts. */
function original(needle: string) {
  const code = fs.readFileSync(appMain, 'utf8');
  const index = code.indexOf(needle);
  const before = code.slice(0, index);
  return {
    source: 'app/src/main.ts',
    line: before.split('\n').length,
    column: index - before.lastIndexOf('\n') - 1,
  };
}

describe('an app built with the await transform, in Chromium', () => {
  const outDirs: Array<string> = [];
  // spans per click: the click, ids, an item per id, recovered, finally,
  // render and paint per id, background, background.done, end
  const expectedSpans =
    2 * (1 + 1 + itemIds.length + 2 + 2 * itemIds.length + 3);

  beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'dist/bundler/vite.js'))).toBe(true);
  });
  afterAll(() => {
    for (const dir of outDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('built with Vite: every parent right', async () => {
    const out = await buildAndRun('vite');
    outDirs.push(out.outDir);
    expect(out.wrong).toEqual([]);
    expect(out.missing).toBe(0);
    expect(out.right).toBe(expectedSpans);
    const assets = path.join(out.outDir, 'assets');
    const bundle = fs.readdirSync(assets).find((f) => f.endsWith('.js'))!;
    for (const [inBundle, inSource] of mapped) {
      expect(mapBack(path.join(assets, bundle), inBundle)).toEqual(
        original(inSource),
      );
    }
  }, 90_000);

  test('served by the Vite dev server: every parent right', async () => {
    const out = await buildAndRun('vite-dev');
    outDirs.push(out.outDir);
    expect(out.wrong).toEqual([]);
    expect(out.missing).toBe(0);
    expect(out.right).toBe(expectedSpans);
  }, 90_000);

  test('built with esbuild: every parent right', async () => {
    const out = await buildAndRun('esbuild');
    outDirs.push(out.outDir);
    expect(out.wrong).toEqual([]);
    expect(out.missing).toBe(0);
    expect(out.right).toBe(expectedSpans);
    for (const [inBundle, inSource] of mapped) {
      expect(mapBack(path.join(out.outDir, 'main.js'), inBundle)).toEqual(
        original(inSource),
      );
    }
  }, 90_000);

  test('built without it: parents after await missing, none wrong', async () => {
    const out = await buildAndRun('esbuild-plain');
    outDirs.push(out.outDir);
    expect(out.spans.length).toBe(expectedSpans);
    expect(out.wrong).toEqual([]);
    expect(out.missing).toBeGreaterThan(expectedSpans / 2);
  }, 90_000);
});
