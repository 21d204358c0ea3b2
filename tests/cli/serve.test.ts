import type { Browser, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { chromium } from 'playwright-core';
import { assertBuilt, cli, fixtures, serve, stop } from './helpers.js';
import type { Served } from './helpers.js';
import { chromiumArgs, chromiumPath } from '../utils/chromium.js';
import { describeWhen } from '../utils/prerequisites.js';

const executablePath = chromiumPath();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-serve-'));
const hex = (n: number, len = 32): string => n.toString(16).padStart(len, '0');
const t0 = 1763730000000000;

/** A `start` and a `span` line in the tracer's layout. */
function spanLines(o: {
  trace: number;
  id: number;
  parent?: number;
  name: string;
  at: number;
  dur: number;
  attributes?: Record<string, unknown>;
  error?: string;
  open?: boolean;
  events?: Array<unknown>;
  links?: Array<unknown>;
}): Array<string> {
  const head =
    `"traceId":"${hex(o.trace)}","spanId":"${hex(o.id)}"` +
    (o.parent != null ? `,"parentId":"${hex(o.parent)}"` : '') +
    `,"name":${JSON.stringify(o.name)},"kind":0,"startTime":${t0 + o.at}`;
  const attrs = JSON.stringify(o.attributes ?? {});
  const start = `{"type":"start",${head},"attributes":${attrs}}`;
  if (o.open === true) return [start];
  const status =
    o.error != null
      ? JSON.stringify({ code: 2, message: o.error })
      : '{"code":0}';
  return [
    start,
    `{"type":"span",${head},"duration":${o.dur},"status":${status},"attributes":${attrs},"events":${JSON.stringify(o.events ?? [])},"links":${JSON.stringify(o.links ?? [])}}`,
  ];
}

/** Traces of a root and children (a chain under child 1). */
function traceFile(traces: number, perTrace: number, firstTrace = 1): string {
  const lines: Array<string> = [
    JSON.stringify({
      type: 'meta',
      version: 1,
      service: 'shop',
      pid: 7,
      runtime: 'node',
      startTime: t0,
      spantrail: '0.1.0',
    }),
  ];
  let id = firstTrace * 1000;
  for (let t = firstTrace; t < firstTrace + traces; t++) {
    const root = ++id;
    const kids: Array<string> = [];
    for (let k = 1; k < perTrace; k++) {
      const sid = ++id;
      kids.push(
        ...spanLines({
          trace: t,
          id: sid,
          parent: k === 1 ? root : k === 2 ? root : root + 1,
          name: k % 2 === 0 ? 'Db.query' : 'Cache.get',
          at: t * 100 + k,
          dur: 1000 * k,
          attributes: { 'db.rows': k, 'user.id': `user-${t}-${k}` },
          error: t % 5 === 0 && k === 1 ? 'timeout' : undefined,
        }),
      );
    }
    lines.push(
      ...kids,
      ...spanLines({
        trace: t,
        id: root,
        name: `GET /orders/${t}`,
        at: t * 100,
        dur: 50000,
      }),
    );
  }
  return lines.join('\n') + '\n';
}

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

type Watched = { page: Page; errors: Array<string>; requests: Array<string> };

async function open(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
  });
  const errors: Array<string> = [];
  const requests: Array<string> = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, errors, requests };
}

/** Waits until the open trace's waterfall has `rows` rows. */
async function waitRows(page: Page, rows: number): Promise<void> {
  await page.waitForFunction(
    (n) => document.getElementById('wf')!.dataset.rows === String(n),
    rows,
  );
}

/** Clicks the waterfall's first row (its root span). */
async function clickFirstRow(page: Page): Promise<void> {
  await page.locator('#wf-canvas').click({ position: { x: 200, y: 26 + 11 } });
}

const maybe = describeWhen(executablePath != null, 'Chromium');

maybe('spantrail serve in headless Chromium', () => {
  jest.setTimeout(120000);
  let browser: Browser;
  const main = path.join(dir, 'main.jsonl');
  const later = path.join(dir, 'later.jsonl');
  let s: Served;

  beforeAll(async () => {
    assertBuilt();
    fs.writeFileSync(main, traceFile(40, 12));
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    s = await serve([main, later]);
  });

  afterAll(async () => {
    await browser?.close();
    if (s != null) await stop(s);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('requests without the token, or with another Host, get 403', async () => {
    expect((await get(s.origin + '/')).status).toBe(403);
    expect((await get(s.origin + '/api/traces')).status).toBe(403);
    expect((await get(s.origin + '/?token=' + 'x'.repeat(24))).status).toBe(
      403,
    );
    expect(
      (await get(s.url, { host: `evil.example:${new URL(s.url).port}` }))
        .status,
    ).toBe(403);
    const ok = await get(s.url);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<canvas id="wf-canvas">');
    expect(new URL(s.url).hostname).toBe('127.0.0.1');
  });

  test('list, search, open, collapse, flame graph, by-name table, live append', async () => {
    const { page, errors, requests } = await open(browser, s.url);
    // The list loads with its counts.
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 40,
    );
    expect(await page.textContent('#count-all')).toBe('40');
    expect(await page.textContent('#count-errors')).toBe('8');
    // Search by an attribute value finds the one trace holding it.
    await page.fill('#search', 'user-17-3');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 1,
    );
    expect(await page.textContent('.trace-item .ti-name')).toBe(
      'GET /orders/17',
    );
    // Whatever its ASCII case.
    await page.fill('#search', 'USER-17-3');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.trace-item').length === 1 &&
        document.querySelector('.trace-item .ti-name')?.textContent ===
          'GET /orders/17',
    );
    // By trace id and by span id prefix.
    await page.fill('#search', hex(23));
    await page.waitForFunction(
      () =>
        document.querySelector('.trace-item .ti-name')?.textContent ===
        'GET /orders/23',
    );
    expect(await page.locator('.trace-item').count()).toBe(1);
    await page.fill('#search', hex(23 * 1000 + 5).slice(0, 30));
    await page.waitForFunction(
      () =>
        document.querySelector('.trace-item .ti-name')?.textContent ===
        'GET /orders/23',
    );
    // By service: the one service keeps every trace.
    await page.fill('#search', '');
    await page.selectOption('#service', 'shop');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 40,
    );
    await page.fill('#search', 'user-17-3');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 1,
    );
    // A trace opens: its waterfall has a row per span.
    await page.click('.trace-item');
    await waitRows(page, 12);
    expect(await page.textContent('#trace-head')).toContain('GET /orders/17');
    // Selecting the root and pressing ← collapses its subtree.
    await clickFirstRow(page);
    await page.waitForFunction(
      () => document.getElementById('wf')!.dataset.selected != null,
    );
    await page.keyboard.press('ArrowLeft');
    await waitRows(page, 1);
    await page.keyboard.press('ArrowRight');
    await waitRows(page, 12);
    // The detail panel shows the span's attributes.
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() =>
      document.getElementById('detail')!.textContent!.includes('db.rows'),
    );
    // Flame graph: nodes by call path; a tooltip names them.
    await page.click('#tab-flame');
    await page.waitForFunction(
      () => Number(document.getElementById('flame')!.dataset.nodes) >= 3,
    );
    await page.locator('#flame-canvas').hover({ position: { x: 100, y: 8 } });
    await page.waitForFunction(() =>
      document.getElementById('flame-tip')!.textContent!.includes('total'),
    );
    // By-name table with percentiles.
    await page.click('#tab-names');
    await page.waitForFunction(
      () => document.querySelectorAll('#names-body tr').length === 42,
    );
    const names = await page.textContent('#names-body');
    expect(names).toContain('Db.query');
    expect(names).toContain('Cache.get');
    // Live: a trace appended to a file that did not exist appears.
    await page.click('#tab-traces');
    await page.fill('#search', '');
    await page.selectOption('#service', '');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 40,
    );
    fs.writeFileSync(
      later,
      spanLines({
        trace: 999,
        id: 999001,
        name: 'Live.appended',
        at: 10_000_000,
        dur: 10,
      }).join('\n') + '\n',
    );
    await page.waitForFunction(() =>
      document.getElementById('traces')!.textContent!.includes('Live.appended'),
    );
    // An open span shows in flight.
    fs.appendFileSync(
      later,
      spanLines({
        trace: 998,
        id: 998001,
        name: 'Stuck.waiting',
        at: 10_000_100,
        dur: 0,
        open: true,
      })[0] + '\n',
    );
    await page.click('#tab-open');
    await page.waitForFunction(() =>
      document
        .getElementById('open-body')!
        .textContent!.includes('Stuck.waiting'),
    );
    expect(errors).toEqual([]);
    const origin = s.origin;
    expect(requests.filter((u) => !u.startsWith(origin + '/'))).toEqual([]);
    await page.close();
  });

  test('a truncated file is read again from the start; a rotated one stays listed', async () => {
    const { page, errors } = await open(browser, s.url);
    await page.waitForFunction(() =>
      document.getElementById('traces')!.textContent!.includes('Live.appended'),
    );
    fs.writeFileSync(
      later,
      spanLines({
        trace: 997,
        id: 997001,
        name: 'After.truncate',
        at: 5,
        dur: 10,
        attributes: { 'log.file': 'kept-open' },
      }).join('\n') + '\n',
    );
    await page.waitForFunction(
      () =>
        document
          .getElementById('traces')!
          .textContent!.includes('After.truncate') &&
        !document
          .getElementById('traces')!
          .textContent!.includes('Live.appended'),
    );
    // Rotated: renamed away, a new file under the name.
    fs.renameSync(later, later + '.1');
    fs.writeFileSync(
      later,
      spanLines({
        trace: 996,
        id: 996001,
        name: 'After.rotate',
        at: 6,
        dur: 10,
      }).join('\n') + '\n',
    );
    // The new file's spans appear live; the old file's stay listed.
    await page.waitForFunction(
      () =>
        document
          .getElementById('traces')!
          .textContent!.includes('After.rotate') &&
        document
          .getElementById('traces')!
          .textContent!.includes('After.truncate'),
    );
    // The rotated file is gone from disk: its span's detail still opens,
    // read through the file the server kept open.
    fs.rmSync(later + '.1');
    await page.fill('#search', 'After.truncate');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 1,
    );
    await page.click('.trace-item');
    await waitRows(page, 1);
    await clickFirstRow(page);
    await page.waitForFunction(() => {
      const d = document.getElementById('detail')!;
      return (
        !d.hidden &&
        d.textContent!.includes('After.truncate') &&
        !d.textContent!.includes('no longer')
      );
    });
    const detail = await page.textContent('#detail');
    expect(detail).toContain(hex(997001));
    expect(detail).toContain('10ns');
    expect(detail).toContain('kept-open');
    // And the new file is still followed.
    await page.fill('#search', '');
    fs.appendFileSync(
      later,
      spanLines({
        trace: 995,
        id: 995001,
        name: 'After.rotate.appended',
        at: 7,
        dur: 10,
      }).join('\n') + '\n',
    );
    await page.waitForFunction(() =>
      document
        .getElementById('traces')!
        .textContent!.includes('After.rotate.appended'),
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  test('SIGINT ends the server cleanly', async () => {
    const other = await serve([main]);
    expect(other.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/,
    );
    expect(await stop(other)).toBe(0);
    expect(other.stderr()).not.toContain('error');
  });
});

maybe('a span id reused in a second trace', () => {
  jest.setTimeout(60000);
  let browser: Browser;
  const file = path.join(dir, 'reused.jsonl');

  beforeAll(async () => {
    assertBuilt();
    fs.mkdirSync(dir, { recursive: true });
    // both traces have spans 1 (root) and 2 (child); the first links to
    // the second's child
    const trace = (n: number, word: string, links?: Array<unknown>) => [
      ...spanLines({
        trace: n,
        id: 2,
        parent: 1,
        name: `${word}.child`,
        at: n * 1000 + 1,
        dur: 10,
        attributes: { who: `${word}-child` },
      }),
      ...spanLines({
        trace: n,
        id: 1,
        name: `${word}.root`,
        at: n * 1000,
        dur: 5000,
        attributes: { who: `${word}-root` },
        links,
      }),
    ];
    fs.writeFileSync(
      file,
      [
        ...trace(1, 'First', [{ traceId: hex(2), spanId: hex(2) }]),
        ...trace(2, 'Second'),
      ].join('\n') + '\n',
    );
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the trace whose root is `root`; checks each span's detail. */
  async function openEach(page: Page, word: string): Promise<void> {
    await page.click(`.trace-item:has-text("${word}.root")`);
    await page.waitForFunction(
      (w) =>
        document.getElementById('wf')!.dataset.rows === '2' &&
        document.getElementById('trace-head')!.textContent!.includes(w),
      word,
    );
    await clickFirstRow(page);
    await page.waitForFunction(
      (w) =>
        document.getElementById('detail')!.textContent!.includes(`${w}-root`),
      word,
    );
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(
      (w) =>
        document.getElementById('detail')!.textContent!.includes(`${w}-child`),
      word,
    );
  }

  async function check(url: string) {
    const { page, errors } = await open(browser, url);
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 2,
    );
    await openEach(page, 'Second');
    await openEach(page, 'First');
    // the link from the first root opens the second trace's child
    await page.keyboard.press('ArrowUp');
    await page.waitForSelector('#detail .links button');
    await page.click('#detail .links button');
    await page.waitForFunction(() =>
      document.getElementById('detail')!.textContent!.includes('Second-child'),
    );
    expect(await page.textContent('#trace-head')).toContain('Second.root');
    expect(errors).toEqual([]);
    await page.close();
  }

  test('in the served page and its API', async () => {
    const s = await serve([file]);
    try {
      const api = async (q: string) =>
        JSON.parse((await get(`${s.origin}/api/${q}&token=${s.token}`)).body);
      for (const [n, word] of [
        [1, 'First'],
        [2, 'Second'],
      ] as const) {
        // the server indexes the file after it starts listening
        let table = await api(`trace?id=${hex(n)}`);
        for (let k = 0; k < 100 && table?.spanId == null; k++) {
          await new Promise((r) => setTimeout(r, 50));
          table = await api(`trace?id=${hex(n)}`);
        }
        expect(table.spanId).toEqual([hex(1), hex(2)]);
        expect(table.parent).toEqual([-1, 0]);
        const detail = await api(`span?id=${hex(2)}&trace=${hex(n)}`);
        expect(detail.traceId).toBe(hex(n));
        expect(detail.record.name).toBe(`${word}.child`);
      }
      await check(s.url);
    } finally {
      await stop(s);
    }
  });

  test('in the static report', async () => {
    const out = path.join(dir, 'reused.html');
    execFileSync(process.execPath, [cli, 'html', file, '-o', out], {
      stdio: 'ignore',
    });
    await check('file://' + out);
  });
});

maybe('a live refresh that lands late', () => {
  jest.setTimeout(60000);
  let browser: Browser;
  const file = path.join(dir, 'late.jsonl');
  const trace = (n: number, word: string, links?: Array<unknown>) => [
    ...spanLines({
      trace: n,
      id: 2,
      parent: 1,
      name: `${word}.child`,
      at: n * 1000 + 1,
      dur: 10,
    }),
    ...spanLines({
      trace: n,
      id: 1,
      name: `${word}.root`,
      at: n * 1000,
      dur: 5000,
      links,
    }),
  ];

  beforeAll(async () => {
    assertBuilt();
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /**
   * Serves two traces, opens the first, and from then on holds every
   * request for a trace table until it is released.
   */
  async function openHeld() {
    fs.writeFileSync(
      file,
      [
        ...trace(1, 'First', [{ traceId: hex(2), spanId: hex(2) }]),
        ...trace(2, 'Second'),
      ].join('\n') + '\n',
    );
    const s = await serve([file]);
    const { page, errors } = await open(browser, s.url);
    await page.click('.trace-item:has-text("First.root")');
    await waitRows(page, 2);
    const held: Array<{ id: string; release: () => Promise<void> }> = [];
    await page.route(
      (u) => u.pathname === '/api/trace',
      (route) => {
        const id = new URL(route.request().url()).searchParams.get('id')!;
        held.push({ id, release: () => route.continue() });
      },
    );
    /** Waits for a held request for trace `n`; returns its position. */
    const waitHeld = async (n: number): Promise<number> => {
      for (let k = 0; k < 600; k++) {
        const at = held.findIndex((h) => h.id === hex(n));
        if (at >= 0) return at;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no request for trace ${n}`);
    };
    const releaseAll = async () => {
      for (const h of held.splice(0)) await h.release();
    };
    // A third span of the first trace: the server pushes it as changed.
    const grow = () =>
      fs.appendFileSync(
        file,
        spanLines({
          trace: 1,
          id: 3,
          parent: 1,
          name: 'Late.kid',
          at: 1002,
          dur: 5,
        }).join('\n') + '\n',
      );
    return { s, page, errors, held, waitHeld, releaseAll, grow };
  }

  test('does not take the user away from the tab they chose', async () => {
    const { s, page, errors, waitHeld, releaseAll, grow } = await openHeld();
    try {
      grow();
      await waitHeld(1);
      await page.click('#tab-names');
      await page.waitForSelector('#names-body tr');
      await releaseAll();
      await waitRows(page, 3);
      expect(await page.isVisible('#view-names')).toBe(true);
      expect(await page.isVisible('#view-traces')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await stop(s);
    }
  });

  test('does not hold up the list once the user opens another trace', async () => {
    const { s, page, errors, waitHeld, releaseAll, grow } = await openHeld();
    try {
      grow();
      await waitHeld(1);
      // the refresh of the first trace is still loading; the user opens
      // the second, and a new trace arrives: the list shows it at once
      await page.click('.trace-item:has-text("Second.root")');
      await waitHeld(2);
      fs.appendFileSync(
        file,
        spanLines({
          trace: 3,
          id: 1,
          name: 'Third.root',
          at: 3000,
          dur: 5,
        }).join('\n') + '\n',
      );
      await page.waitForFunction(() =>
        document.getElementById('traces')!.textContent!.includes('Third.root'),
      );
      await releaseAll();
      await page.waitForFunction(() =>
        document
          .getElementById('trace-head')!
          .textContent!.includes('Second.root'),
      );
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await stop(s);
    }
  });

  test('does not undo a link the user followed', async () => {
    const { s, page, errors, held, waitHeld, releaseAll, grow } =
      await openHeld();
    try {
      await clickFirstRow(page);
      await page.click('#detail .links button');
      const link = await waitHeld(2);
      // The refresh this starts must not ask for the first trace again
      // while the followed link is loading.
      grow();
      await page.waitForFunction(() =>
        document.getElementById('traces')!.textContent!.includes('3 spans'),
      );
      await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
      expect(held.slice(link + 1).map((h) => h.id)).toEqual([]);
      await releaseAll();
      await page.waitForFunction(() =>
        document.getElementById('detail')!.textContent!.includes('Second'),
      );
      expect(await page.textContent('#trace-head')).toContain('Second.root');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await stop(s);
    }
  });
});

maybe('span detail of an old js-logger file', () => {
  jest.setTimeout(60000);
  let browser: Browser;
  let served: Served;
  const file = path.join(dir, 'legacy.jsonl');
  const records: Array<Record<string, string>> = [];

  beforeAll(async () => {
    assertBuilt();
    fs.mkdirSync(dir, { recursive: true });
    const text = fs.readFileSync(path.join(fixtures, 'legacy.jsonl'), 'utf8');
    fs.writeFileSync(file, text);
    for (const l of text.split('\n')) if (l !== '') records.push(JSON.parse(l));
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    served = await serve([file]);
  });

  afterAll(async () => {
    await browser?.close();
    if (served != null) await stop(served);
  });

  test('a span shows its start and stop records, times, and parent', async () => {
    const { page, errors } = await open(browser, served.url);
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 2,
    );
    await page.fill('#search', 'parseBody');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 1,
    );
    await page.click('.trace-item');
    await waitRows(page, 4);
    // The root, `handler`: 25 ms from its start to its stop.
    await clickFirstRow(page);
    await page.waitForFunction(() =>
      document.getElementById('detail')!.textContent!.includes('js-logger'),
    );
    const root = records[0];
    const rootStop = records.find((r) => r.startId === root.id)!;
    let detail = (await page.textContent('#detail'))!;
    expect(detail).toContain('handler');
    expect(detail).toContain('25.0ms');
    expect(detail).toContain(`id = ${root.id}`);
    expect(detail).toContain(`id = ${rootStop.id}`);
    expect(detail).toContain(`startId = ${root.id}`);
    expect(detail).not.toContain('no longer in the file');
    // The next row, `parseBody`: its parent and its own records.
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() =>
      document.getElementById('detail')!.textContent!.includes('parseBody'),
    );
    const parse = records.find((r) => r.name === 'parseBody')!;
    detail = (await page.textContent('#detail'))!;
    expect(detail).toContain('parent id');
    expect(detail).toContain(`parentId = ${root.id}`);
    expect(detail).toContain(`startId = ${parse.id}`);
    expect(detail).toContain('3.00ms');
    // A span that never stopped: open, with its start record only.
    await page.fill('#search', 'waitForLock');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.trace-item').length === 1 &&
        document.querySelector('.trace-item')!.textContent!.includes('2 open'),
    );
    await page.click('.trace-item');
    await waitRows(page, 2);
    await clickFirstRow(page);
    await page.waitForFunction(() => {
      const d = document.getElementById('detail')!.textContent!;
      return d.includes('js-logger') && d.includes('open for');
    });
    detail = (await page.textContent('#detail'))!;
    expect(detail).not.toContain('stop');
    expect(errors).toEqual([]);
    await page.close();
  });
});

maybe('hostile names and values render as text', () => {
  jest.setTimeout(60000);
  let browser: Browser;
  const file = path.join(dir, 'hostile.jsonl');
  const evil = '</script><img src=x onerror="window.__pwned=1">';
  const bidi = 'abc\u202Eevil\u202Cdef';

  beforeAll(async () => {
    assertBuilt();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      file,
      [
        ...spanLines({
          trace: 1,
          id: 1,
          name: evil,
          at: 0,
          dur: 5000,
          attributes: {
            '<i>k</i>': '"><svg onload="window.__pwned=2">',
            url: 'javascript:window.__pwned=3',
            bidi,
          },
          error: '<b>bold</b> & <!--',
          events: [
            {
              name: 'exception',
              time: t0 + 1,
              attributes: {
                'exception.message': '<script>window.__pwned=4</script>',
                'exception.stacktrace': 'Error: x\n    at <anonymous>',
              },
            },
          ],
          links: [{ traceId: hex(1), spanId: hex(2) }],
        }),
        ...spanLines({
          trace: 1,
          id: 2,
          parent: 1,
          name: bidi,
          at: 1,
          dur: 10,
        }),
      ].join('\n') + '\n',
    );
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function check(url: string, originOk: (u: string) => boolean) {
    const { page, errors, requests } = await open(browser, url);
    await page.waitForSelector('.trace-item');
    await page.click('.trace-item');
    await waitRows(page, 2);
    await clickFirstRow(page);
    await page.waitForFunction(() =>
      document.getElementById('detail')!.textContent!.includes('exception'),
    );
    const text = await page.evaluate(() => document.body.innerText);
    // Follow the link to the linked span.
    await page.click('#detail .links button');
    await page.waitForFunction(() =>
      document.getElementById('wf')!.dataset.selected?.endsWith('2'),
    );
    await page.click('#tab-names');
    await page.waitForSelector('#names-body tr');
    await page.click('#tab-flame');
    await page.click('#tab-traces');
    const pwned = await page.evaluate(() => (window as any).__pwned);
    const imgs = await page.evaluate(
      () => document.querySelectorAll('img, svg, #detail script').length,
    );
    await page.close();
    expect(pwned).toBeUndefined();
    expect(imgs).toBe(0);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !originOk(u))).toEqual([]);
    // Shown as text; the bidi override as a visible escape.
    expect(text).toContain(evil);
    expect(text).toContain('javascript:window.__pwned=3');
    expect(text).toContain('abc\\u202eevil\\u202cdef');
    expect(text).not.toContain('\u202E');
  }

  test('in the served page', async () => {
    const s = await serve([file]);
    try {
      await check(s.url, (u) => u.startsWith(s.origin + '/'));
    } finally {
      await stop(s);
    }
  });

  test('in the static report', async () => {
    const out = path.join(dir, 'hostile.html');
    execFileSync(process.execPath, [cli, 'html', file, '-o', out], {
      stdio: 'ignore',
    });
    const html = fs.readFileSync(out, 'utf8');
    expect(html).not.toContain('</script><img');
    expect(html).not.toContain('<svg onload');
    await check('file://' + out, (u) => u.startsWith('file:'));
  });
});

/** A `meta` line of a process. */
function metaLine(service: string, pid: number, host: string): string {
  return JSON.stringify({
    type: 'meta',
    version: 1,
    service,
    pid,
    runtime: 'node',
    host,
    startTime: t0,
    spantrail: '0.1.0',
  });
}

/**
 * Three files: `web` calls `api` (trace 1 crosses the two processes), one
 * trace of `api` alone (an error), and a trace of a second run of `api`.
 */
function writeProcessFiles(): Array<string> {
  const client = path.join(dir, 'proc-client.jsonl');
  const server = path.join(dir, 'proc-server.jsonl');
  const rerun = path.join(dir, 'proc-server-2.jsonl');
  fs.writeFileSync(
    client,
    [
      metaLine('web', 1001, 'client-host'),
      ...spanLines({
        trace: 1,
        id: 11,
        name: 'Client.request',
        at: 0,
        dur: 9000,
      }),
      ...spanLines({ trace: 4, id: 41, name: 'Web.render', at: 50, dur: 10 }),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(
    server,
    [
      metaLine('api', 2002, 'server-host'),
      ...spanLines({
        trace: 1,
        id: 12,
        parent: 11,
        name: 'Server.handle',
        at: 10,
        dur: 5000,
        attributes: { route: '/users' },
      }),
      ...spanLines({
        trace: 2,
        id: 21,
        name: 'Api.cron',
        at: 20,
        dur: 10,
        error: 'failed',
      }),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(
    rerun,
    [
      metaLine('api', 2003, 'server-host'),
      ...spanLines({
        trace: 3,
        id: 31,
        name: 'Api.secondRun',
        at: 30,
        dur: 10,
      }),
    ].join('\n') + '\n',
  );
  return [client, server, rerun];
}

/** The root names the trace list shows, sorted. */
async function listed(page: Page): Promise<Array<string>> {
  return (
    await page.$$eval('.trace-item .ti-name', (l) =>
      l.map((e) => e.textContent!),
    )
  ).sort();
}

/** Waits until the list shows exactly these root names. */
async function waitListed(page: Page, names: Array<string>): Promise<void> {
  await page.waitForFunction(
    (want) =>
      JSON.stringify(
        Array.from(document.querySelectorAll('.trace-item .ti-name'))
          .map((e) => e.textContent)
          .sort(),
      ) === JSON.stringify(want),
    [...names].sort(),
  );
}

/** Picks the option of a filter whose text contains `text`. */
async function pick(page: Page, select: string, text: string): Promise<void> {
  const value = await page.$eval(
    select,
    (s, t) =>
      Array.from((s as HTMLSelectElement).options).find((o) =>
        o.textContent!.includes(t),
      )?.value,
    text,
  );
  if (value == null) throw new Error(`no option ${text} in ${select}`);
  await page.selectOption(select, value);
}

/** The filters: any span's service or process; two runs apart. */
async function checkFilters(page: Page): Promise<void> {
  const all = ['Client.request', 'Web.render', 'Api.cron', 'Api.secondRun'];
  await waitListed(page, all);
  // each option with its count of traces
  expect(await page.textContent('#service')).toContain('api · 3');
  expect(await page.textContent('#process')).toContain(
    'api (pid 2002, server-host) · 2',
  );
  // the trace web -> api is listed under either service
  await page.selectOption('#service', 'api');
  await waitListed(page, ['Client.request', 'Api.cron', 'Api.secondRun']);
  // the process filter offers that service's processes only
  expect(await page.textContent('#process')).not.toContain('web');
  await page.selectOption('#service', 'web');
  await waitListed(page, ['Client.request', 'Web.render']);
  // and under either process; the two runs of `api` apart
  await page.selectOption('#service', '');
  await pick(page, '#process', 'pid 2002');
  await waitListed(page, ['Client.request', 'Api.cron']);
  await pick(page, '#process', 'pid 2003');
  await waitListed(page, ['Api.secondRun']);
  await pick(page, '#process', 'pid 1001');
  await waitListed(page, ['Client.request', 'Web.render']);
  // combined with a search and with a list
  await page.fill('#search', 'Server.handle');
  await waitListed(page, ['Client.request']);
  await page.fill('#search', '');
  await pick(page, '#process', 'pid 2002');
  await page.click('#lists button[data-filter="errors"]');
  await waitListed(page, ['Api.cron']);
  expect(await page.textContent('#count-all')).toBe('2');
  await page.click('#lists button[data-filter="all"][data-sort="newest"]');
  await page.selectOption('#process', '');
  await waitListed(page, all);
  expect(await listed(page)).toHaveLength(4);
}

maybe(
  'filters by service and process, links to a trace, more of the list',
  () => {
    jest.setTimeout(120000);
    let browser: Browser;
    let files: Array<string>;
    let s: Served;

    beforeAll(async () => {
      assertBuilt();
      fs.mkdirSync(dir, { recursive: true });
      files = writeProcessFiles();
      browser = await chromium.launch({ executablePath, args: chromiumArgs });
      s = await serve(files);
    });

    afterAll(async () => {
      await browser?.close();
      if (s != null) await stop(s);
    });

    test('a trace across two processes shows under either service and either process', async () => {
      const { page, errors, requests } = await open(browser, s.url);
      await checkFilters(page);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(s.origin + '/'))).toEqual([]);
      await page.close();
    });

    test('in the static report too', async () => {
      const out = path.join(dir, 'processes.html');
      execFileSync(process.execPath, [cli, 'html', ...files, '-o', out], {
        stdio: 'ignore',
      });
      const { page, errors, requests } = await open(browser, 'file://' + out);
      await checkFilters(page);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      await page.close();
    });

    test('a link names the open trace, span and tab; a reload keeps them; Back goes back', async () => {
      const link = `${s.url}#trace=${hex(1)}&span=${hex(12)}`;
      const { page, errors, requests } = await open(browser, link);
      // the linked trace opens with the linked span selected
      await waitRows(page, 2);
      await page.waitForFunction(
        (id) => document.getElementById('wf')!.dataset.selected === id,
        hex(12),
      );
      await page.waitForFunction(() =>
        document.getElementById('detail')!.textContent!.includes('/users'),
      );
      expect(await page.textContent('#trace-head')).toContain('Client.request');
      // selecting another span and another tab: the hash follows, the token
      // stays in the query
      await clickFirstRow(page);
      await page.waitForFunction(
        (id) => document.getElementById('wf')!.dataset.selected === id,
        hex(11),
      );
      expect(new URL(page.url()).hash).toBe(`#trace=${hex(1)}&span=${hex(11)}`);
      await page.click('#tab-names');
      expect(new URL(page.url()).hash).toBe(
        `#trace=${hex(1)}&span=${hex(11)}&tab=names`,
      );
      expect(new URL(page.url()).searchParams.get('token')).toBe(s.token);
      // a reload shows the same
      await page.reload();
      await page.waitForSelector('#names-body tr');
      expect(await page.isVisible('#view-names')).toBe(true);
      await page.waitForFunction(
        (id) => document.getElementById('wf')!.dataset.selected === id,
        hex(11),
      );
      await page.click('#tab-traces');
      await waitRows(page, 2);
      expect(await page.textContent('#trace-head')).toContain('Client.request');
      // a trace opened from the list is a new history entry: Back returns
      await page.click('.trace-item:has-text("Api.secondRun")');
      await page.waitForFunction(() =>
        document
          .getElementById('trace-head')!
          .textContent!.includes('secondRun'),
      );
      expect(new URL(page.url()).hash).toBe(`#trace=${hex(3)}`);
      await page.goBack();
      await page.waitForFunction(() =>
        document
          .getElementById('trace-head')!
          .textContent!.includes('Client.request'),
      );
      expect(new URL(page.url()).hash).toBe(`#trace=${hex(1)}&span=${hex(11)}`);
      await page.goForward();
      await page.waitForFunction(() =>
        document
          .getElementById('trace-head')!
          .textContent!.includes('secondRun'),
      );
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(s.origin + '/'))).toEqual([]);
      await page.close();
    });

    test('a link to a trace not written yet opens it when it arrives', async () => {
      const file = path.join(dir, 'link-later.jsonl');
      const other = await serve([file]);
      try {
        const { page, errors } = await open(
          browser,
          `${other.url}#trace=${hex(7)}&span=${hex(72)}`,
        );
        await page.waitForFunction(() =>
          document
            .getElementById('trace-head')!
            .textContent!.includes('is not in the input (yet)'),
        );
        fs.writeFileSync(
          file,
          [
            ...spanLines({
              trace: 8,
              id: 81,
              name: 'Other.trace',
              at: 0,
              dur: 5,
            }),
            ...spanLines({
              trace: 7,
              id: 71,
              name: 'Late.root',
              at: 0,
              dur: 50,
            }),
            ...spanLines({
              trace: 7,
              id: 72,
              parent: 71,
              name: 'Late.child',
              at: 1,
              dur: 5,
            }),
          ].join('\n') + '\n',
        );
        await waitRows(page, 2);
        await page.waitForFunction(
          (id) => document.getElementById('wf')!.dataset.selected === id,
          hex(72),
        );
        expect(await page.textContent('#trace-head')).toContain('Late.root');
        expect(errors).toEqual([]);
        await page.close();
      } finally {
        await stop(other);
      }
    });

    test('a hostile hash does nothing: no markup, no error, no request for it', async () => {
      const hostile = [
        '#trace=<img src=x onerror="window.__pwned=1">&span=<svg onload="window.__pwned=2">&tab=<b>x</b>',
        `#trace=${hex(2)}&span="><img src=x onerror="window.__pwned=3">&tab=__proto__`,
        `#trace=${'f'.repeat(32)}&span=${'e'.repeat(32)}&tab=constructor`,
        '#%E0%A4%A&trace=%ZZ&&&=&tab=toString&trace=' + hex(1),
        '#trace=' + 'a'.repeat(100000),
        '#javascript:window.__pwned=4',
        '#trace=' + hex(1) + '%00<script>window.__pwned=5</script>',
      ];
      const { page, errors, requests } = await open(browser, s.url);
      await page.waitForSelector('.trace-item');
      /** Sets the hash in the open page and lets it act on it. */
      const setHash = (h: string) =>
        page.evaluate(
          (x) =>
            new Promise((r) => {
              location.hash = x;
              setTimeout(r, 200);
            }),
          h,
        );
      for (const hash of hostile) {
        // as the URL of a page being loaded, and as a changed hash
        await page.goto('about:blank');
        await page.goto(s.url + hash);
        await page.waitForSelector('.trace-item');
        await setHash(`#trace=${hex(1)}`);
        await setHash(hash);
      }
      // the one valid hex id not in the input says so, as text
      await page.goto('about:blank');
      await page.goto(s.url + hostile[2]);
      await page.waitForFunction(() =>
        document
          .getElementById('trace-head')!
          .textContent!.includes('is not in the input'),
      );
      // the trace with a hostile span or tab opens; the rest is ignored
      await page.goto('about:blank');
      await page.goto(s.url + hostile[1]);
      await waitRows(page, 1);
      expect(await page.textContent('#trace-head')).toContain('Api.cron');
      expect(await page.isVisible('#view-traces')).toBe(true);
      expect(new URL(page.url()).hash).toBe(`#trace=${hex(2)}`);
      const pwned = await page.evaluate(() => (window as any).__pwned);
      const markup = await page.evaluate(
        () => document.querySelectorAll('img, svg, b, body script').length,
      );
      expect(pwned).toBeUndefined();
      // the page's own script is the one script element
      expect(markup).toBe(1);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(s.origin + '/'))).toEqual([]);
      // only hex ids were asked for
      const asked = requests
        .map((u) => new URL(u))
        .filter(
          (u) => u.pathname === '/api/trace' || u.pathname === '/api/span',
        )
        .map((u) => u.searchParams.get('id'));
      expect(asked.filter((id) => !/^[0-9a-f]{32}$/.test(id ?? ''))).toEqual(
        [],
      );
      await page.close();
    });
  },
);

maybe('a trace list longer than a page', () => {
  jest.setTimeout(120000);
  let browser: Browser;
  const file = path.join(dir, 'many.jsonl');
  const count = 1203;

  beforeAll(async () => {
    assertBuilt();
    fs.mkdirSync(dir, { recursive: true });
    const lines: Array<string> = [];
    for (let t = 1; t <= count; t++) {
      lines.push(
        ...spanLines({ trace: t, id: t, name: `Job.${t}`, at: t * 10, dur: 5 }),
      );
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const items = (page: Page) => page.locator('.trace-item').count();

  /** Pages to the oldest trace with "show more" and opens it. */
  async function reachOldest(page: Page): Promise<void> {
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 500,
    );
    expect(await page.textContent('#list-note')).toBe(
      `showing 500 of ${count}`,
    );
    expect(await page.textContent('.trace-item:last-child .ti-name')).toBe(
      `Job.${count - 499}`,
    );
    await page.click('#list-more');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 1000,
    );
    expect(await page.textContent('#list-more')).toBe(
      `show ${count - 1000} more`,
    );
    await page.click('#list-more');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.trace-item').length === n,
      count,
    );
    expect(await page.isVisible('#list-more')).toBe(false);
    expect(await page.textContent('#list-note')).toBe(`${count} traces`);
    // every trace once, newest first, down to the oldest
    const names = await page.$$eval('.trace-item .ti-name', (l) =>
      l.map((e) => e.textContent),
    );
    expect(names).toEqual(
      Array.from({ length: count }, (_, k) => `Job.${count - k}`),
    );
    await page.click('.trace-item:last-child');
    await waitRows(page, 1);
    expect(await page.textContent('#trace-head')).toContain('Job.1');
    // a new query starts from its first page again
    await page.click('#lists button[data-sort="slowest"]');
    await page.waitForFunction(
      () => document.querySelectorAll('.trace-item').length === 500,
    );
  }

  test('"show more" reaches every trace; a live update keeps the pages shown', async () => {
    const s = await serve([file]);
    try {
      const { page, errors, requests } = await open(browser, s.url);
      await reachOldest(page);
      await page.click('#lists button[data-sort="newest"][data-filter="all"]');
      await page.waitForFunction(
        () => document.querySelectorAll('.trace-item').length === 500,
      );
      await page.click('#list-more');
      await page.waitForFunction(
        () => document.querySelectorAll('.trace-item').length === 1000,
      );
      fs.appendFileSync(
        file,
        spanLines({
          trace: count + 1,
          id: count + 1,
          name: 'Job.live',
          at: (count + 1) * 10,
          dur: 5,
        }).join('\n') + '\n',
      );
      await page.waitForFunction(
        () =>
          document.querySelector('.trace-item .ti-name')?.textContent ===
          'Job.live',
      );
      expect(await items(page)).toBe(1000);
      expect(await page.textContent('#list-note')).toBe(
        `showing 1000 of ${count + 1}`,
      );
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(s.origin + '/'))).toEqual([]);
      await page.close();
    } finally {
      await stop(s);
    }
  });

  test('in the static report too', async () => {
    const out = path.join(dir, 'many.html');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .slice(0, count * 2)
        .join('\n') + '\n',
    );
    execFileSync(process.execPath, [cli, 'html', file, '-o', out], {
      stdio: 'ignore',
    });
    const { page, errors } = await open(browser, 'file://' + out);
    await reachOldest(page);
    expect(errors).toEqual([]);
    await page.close();
  });
});
