import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium } from 'playwright-core';
import { artifacts, assertBuilt, runCli } from './helpers.js';
import { chromiumArgs, chromiumPath } from '../utils/chromium.js';
import { describeWhen } from '../utils/prerequisites.js';

const executablePath = chromiumPath();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-html-'));
const hostile = path.join(dir, 'hostile.jsonl');
const evilName = '</script><img src=x onerror="window.__pwned=1">';

beforeAll(() => {
  assertBuilt();
  fs.mkdirSync(artifacts, { recursive: true });
  const hex = (n: number): string => n.toString(16).padStart(32, '0');
  const span = (id: number, name: string, parent?: number): string =>
    JSON.stringify({
      type: 'span',
      traceId: hex(1),
      spanId: hex(id),
      ...(parent != null ? { parentId: hex(parent) } : {}),
      name,
      kind: 0,
      startTime: 1763730000000000 + id * 10,
      duration: 50000,
      status: { code: 2, message: '<b>bold</b> & <!-- comment' },
      attributes: { '<i>key</i>': '"><svg onload=alert(1)>', __proto__x: 1 },
      events: [{ name: '<script>alert(1)</script>', time: 1763730000000020 }],
      links: [],
    });
  fs.writeFileSync(
    hostile,
    [
      span(1, evilName),
      span(2, '\u2028line\u2029sep', 1),
      span(3, '&amp; <!--', 1),
    ].join('\n') + '\n',
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openReport(
  file: string,
  screenshot?: string,
): Promise<{
  text: string;
  errors: Array<string>;
  requests: Array<string>;
  pwned: unknown;
}> {
  const browser = await chromium.launch({
    executablePath,
    args: chromiumArgs,
  });
  try {
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
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.trace-item');
    // Open a trace, select a span, zoom and reset.
    await page.click('.trace-item');
    await page.waitForFunction(
      () => Number(document.getElementById('wf')!.dataset.rows) > 0,
    );
    await page.locator('#wf-canvas').click({ position: { x: 200, y: 37 } });
    await page.click('#zin');
    await page.click('#zreset');
    const box = await page.locator('#wf').boundingBox();
    await page.mouse.move(box!.x + box!.width * 0.7, box!.y + 60);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await page.click('#zreset');
    if (screenshot != null) {
      await page.screenshot({
        path: path.join(artifacts, screenshot),
        fullPage: false,
      });
    }
    // Span names are drawn on canvas; the by-name table lists them as text.
    await page.click('#tab-names');
    await page.waitForSelector('#names-body tr');
    let text = await page.evaluate(() => document.body.innerText);
    await page.click('#tab-open');
    await page.waitForSelector('#open-note:not(:empty)');
    text += await page.evaluate(() => document.body.innerText);
    const pwned = await page.evaluate(() => (window as any).__pwned);
    return { text, errors, requests, pwned };
  } finally {
    await browser.close();
  }
}

const maybe = describeWhen(executablePath != null, 'Chromium');

maybe('html report in headless Chromium', () => {
  test('shows every span, no errors, no network', async () => {
    const out = path.join(dir, 'report.html');
    const r = await runCli([
      'html',
      'basic.jsonl',
      'merged-client.jsonl',
      'merged-server.jsonl',
      'legacy.jsonl',
      '-o',
      out,
    ]);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const { text, errors, requests } = await openReport(out, 'report.png');
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
    for (const name of [
      'Service.start',
      'Db.open',
      'Db.query',
      'Cache.warm',
      'Http.get',
      'Job.run',
      'Task.a',
      'Task.b',
      'Client.request',
      'Client.render',
      'Server.handle',
      'Db.select',
      'handler',
      'parseBody',
      'db.query',
      'db.connect',
      'waitForLock',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('open span');
  });

  test('trace strings cannot inject markup or script', async () => {
    const out = path.join(dir, 'hostile.html');
    const r = await runCli(['html', hostile, '-o', out]);
    expect(r.code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).not.toContain('</script><img');
    expect(html).not.toContain('<svg onload');
    const { text, errors, requests, pwned } = await openReport(
      out,
      'hostile.png',
    );
    expect(pwned).toBeUndefined();
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
    expect(text).toContain(evilName);
    expect(text).toContain('&amp; <!--');
  });
});

maybe('html report links', () => {
  test('the hash opens a trace and span from disk; a reload keeps them; a hostile hash does nothing', async () => {
    const out = path.join(dir, 'linked.html');
    const r = await runCli([
      'html',
      'basic.jsonl',
      'merged-client.jsonl',
      'merged-server.jsonl',
      '-o',
      out,
    ]);
    expect(r.code).toBe(0);
    const trace = '06920625000070009ac2db8cd1ffeff4';
    const span = '0692062500007000ab437a0e5a6ec7cd';
    const browser = await chromium.launch({
      executablePath,
      args: chromiumArgs,
    });
    try {
      const page = await browser.newPage();
      const errors: Array<string> = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      const url = pathToFileURL(out).href;
      const selected = () =>
        page.waitForFunction(
          (id) => document.getElementById('wf')!.dataset.selected === id,
          span,
        );
      await page.goto(`${url}#trace=${trace}&span=${span}&tab=open`);
      await selected();
      expect(await page.isVisible('#view-open')).toBe(true);
      await page.reload();
      await selected();
      expect(await page.isVisible('#view-open')).toBe(true);
      await page.click('#tab-traces');
      expect(await page.textContent('#detail')).toContain('Server.handle');
      expect(await page.textContent('#trace-head')).toContain('Client.request');
      await page.goto('about:blank');
      await page.goto(
        `${url}#trace=<img src=x onerror="window.__pwned=1">&tab=<svg onload="window.__pwned=2">`,
      );
      await page.waitForFunction(
        () => document.getElementById('wf')!.dataset.rows != null,
      );
      expect(await page.evaluate(() => (window as any).__pwned)).toBe(
        undefined,
      );
      expect(
        await page.evaluate(() => document.querySelectorAll('img, svg').length),
      ).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('html report of a js-logger file', () => {
  test('every span has its detail embedded: the span and its records', async () => {
    const out = path.join(dir, 'legacy.html');
    const r = await runCli(['html', 'legacy.jsonl', '-o', out]);
    expect(r.code).toBe(0);
    const page = fs.readFileSync(out, 'utf8');
    const json =
      /<script type="application\/json" id="spantrail-data">(.*?)<\/script>/s.exec(
        page,
      )![1];
    const details = Object.values(JSON.parse(json).details) as Array<any>;
    // 4 spans of the first handler, 2 of the one that never stopped
    expect(details).toHaveLength(6);
    for (const d of details) {
      expect(d.unavailable).toBeUndefined();
      expect(d.record.spanId).toBe(d.spanId);
      const types = d.legacy.map((l: any) => l.type);
      expect(types).toEqual(
        d.record.type === 'span' ? ['start', 'stop'] : ['start'],
      );
      expect(d.legacy[0].fields.name).toBe(d.record.name);
      expect(d.legacy[0].time).toBe(d.record.startTime);
      if (d.record.type === 'span') {
        expect((d.legacy[1].time - d.legacy[0].time) * 1000).toBe(
          d.record.duration,
        );
      }
    }
  });
});
