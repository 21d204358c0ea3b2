import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { chromiumArgs } from '../utils/chromium.js';
import { parseTrace } from '../utils/schema.js';

// A small app (tests/bundler/app) built with Vite and with esbuild, each
// with the await transform, run in headless Chromium against its own
// server; its trace, posted back to that server, must have every parent
// right. The same app built without the transform loses parents (and
// never gets one wrong), which shows what the check is checking.

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const appMain = path.join(here, 'app/src/main.ts');
const itemIds = [1, 2, 3, 4];
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
    const url = req.url ?? '/';
    const item = /^\/api\/item\/(\d+)$/.exec(url);
    if (url === '/api/items') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(itemIds));
    } else if (item != null) {
      const id = Number(item[1]);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, name: `item ${id}` }));
      }, id * 3);
    } else if (url === '/api/fail') {
      res.writeHead(500).end();
    } else if (url === '/trace' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.writeHead(204).end();
        resolveTrace(body);
      });
    } else {
      const file = path.join(dir, url === '/' ? 'index.html' : url);
      if (!file.startsWith(dir) || !fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': mimeTypes[path.extname(file)] ?? 'text/plain',
      });
      res.end(fs.readFileSync(file));
    }
  });
  return { server, trace };
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
  execFileSync(
    process.execPath,
    [path.join(here, 'buildApp.js'), kind, outDir],
    { cwd: root, stdio: 'pipe' },
  );
  const { server, trace } = serve(outDir);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumArgs,
  });
  let text: string;
  try {
    const page = await browser.newPage();
    const errors: Array<string> = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const port = (server.address() as any).port;
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.title.startsWith('done'), null, {
      timeout: 20_000,
    });
    expect(errors).toEqual([]);
    expect(await page.title()).toBe(`done ${itemIds.length},${itemIds.length}`);
    text = await trace;
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
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
