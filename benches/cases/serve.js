import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { distDir } from '../lib/spantrail.js';
import { writeTraces } from '../lib/genTraces.js';

const cli = path.join(distDir, 'cli', 'main.js');
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p !== '') return p;
    } catch {
      // not under this name
    }
  }
  return undefined;
}

/** Resident and peak resident memory of a process, bytes (Linux). */
function memory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) =>
      Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: undefined, peak: undefined };
  }
}

async function run({ quick, tmpDir }) {
  const executablePath = chromiumPath();
  if (executablePath == null) return { unavailable: 'no Chromium to drive' };
  const { chromium } = await import('playwright-core');
  const spans = quick ? 100_000 : 1_000_000;
  const big = quick ? 10_000 : 100_000;
  const file = path.join(tmpDir, 'serve.jsonl');
  writeTraces(file, { spans, big });
  const fileMB = fs.statSync(file).size / 1e6;
  // Drop what writing left in this process before timing the server.
  const browser = await chromium.launch({ executablePath, args: chromiumArgs });
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', file], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
    });
    page.setDefaultTimeout(120_000);
    await page.goto(url);
    await page.waitForSelector('.trace-item');
    const firstList = (performance.now() - t0) / 1000;
    // The complete list: every span loaded.
    await page.waitForFunction(
      (n) =>
        /^(\d+) spans/.exec(
          document.getElementById('summary').textContent,
        )?.[1] === String(n) &&
        !document.getElementById('summary').textContent.includes('loading'),
      spans,
      { polling: 100 },
    );
    const fullList = (performance.now() - t0) / 1000;
    const loadedMem = memory(child.pid);
    // The big trace: slowest first, open it.
    await page.click('#lists button[data-sort="slowest"]');
    await page.waitForFunction(
      (n) =>
        document
          .querySelector('.trace-item .ti-bottom')
          ?.textContent.includes(`${n} spans`),
      big,
    );
    const t1 = performance.now();
    await page.click('.trace-item');
    await page.waitForFunction(
      (n) => document.getElementById('wf').dataset.rows === String(n),
      big,
      { polling: 'raf' },
    );
    await page.evaluate(
      () => new Promise((r) => window.requestAnimationFrame(() => r())),
    );
    const openBig = (performance.now() - t1) / 1000;
    // Scroll through the big trace: frames stay cheap (only visible rows).
    const scrollMs = await page.evaluate(async () => {
      const wf = document.getElementById('wf');
      const t = performance.now();
      for (let i = 0; i < 30; i++) {
        wf.scrollTop += 5000;
        await new Promise((r) => window.requestAnimationFrame(() => r()));
      }
      return (performance.now() - t) / 30;
    });
    // Live: append a trace, time until the list shows it.
    await page.click('#lists button[data-sort="newest"]');
    await page.waitForTimeout(500);
    const hex = (n) => n.toString(16).padStart(32, '0');
    const line = `{"type":"span","traceId":"${hex(0xabcdef)}","spanId":"${hex(0xabcdef)}","name":"Bench.appended","kind":0,"startTime":${Date.now() * 1000},"duration":10,"status":{"code":0},"attributes":{},"events":[],"links":[]}\n`;
    const t2 = performance.now();
    fs.appendFileSync(file, line);
    await page.waitForFunction(
      () =>
        document
          .getElementById('traces')
          .textContent.includes('Bench.appended'),
      undefined,
      { polling: 20 },
    );
    const live = (performance.now() - t2) / 1000;
    const endMem = memory(child.pid);
    await page.close();
    const mib = (b) => (b == null ? '-' : (b / 2 ** 20).toFixed(0));
    const rows = [
      {
        spans,
        fileMB,
        firstList,
        fullList,
        openBig,
        scrollMs,
        live,
        rss: loadedMem.rss,
        peak: endMem.peak,
      },
    ];
    return {
      rows,
      columns: [
        { key: 'spans', label: 'spans', fmt: (v) => v.toLocaleString('en-US') },
        { key: 'fileMB', label: 'file (MB)', fmt: (v) => v.toFixed(0) },
        { key: 'firstList', label: 'list shown (s)', fmt: (v) => v.toFixed(2) },
        { key: 'fullList', label: 'all loaded (s)', fmt: (v) => v.toFixed(2) },
        {
          key: 'openBig',
          label: `open ${big.toLocaleString('en-US')}-span trace (s)`,
          fmt: (v) => v.toFixed(2),
        },
        {
          key: 'scrollMs',
          label: 'scroll frame (ms)',
          fmt: (v) => v.toFixed(1),
        },
        { key: 'live', label: 'append to page (s)', fmt: (v) => v.toFixed(2) },
        { key: 'rss', label: 'RSS loaded (MiB)', fmt: mib },
        { key: 'peak', label: 'peak RSS (MiB)', fmt: mib },
      ],
      targets: [
        {
          text: 'trace list on screen within 5 s of start',
          measured: `${firstList.toFixed(2)} s (all ${spans.toLocaleString('en-US')} spans in ${fullList.toFixed(2)} s)`,
          met: quick ? null : firstList < 5,
        },
        {
          text: 'server RSS under 600 MB',
          measured: `${mib(loadedMem.rss)} MiB loaded, ${mib(endMem.peak)} MiB peak`,
          met: quick || endMem.peak == null ? null : endMem.peak < 600e6,
        },
        {
          text: `a ${big.toLocaleString('en-US')}-span trace opens within 1 s`,
          measured: `${openBig.toFixed(2)} s`,
          met: quick ? null : openBig < 1,
        },
        {
          text: 'a span appended to the file appears in an open page within 1 s',
          measured: `${live.toFixed(2)} s`,
          met: live < 1,
        },
      ],
      notes: [
        `The file is written in the tracer's layout (\`benches/lib/genTraces.js\`): traces of 10 spans and one of ${big.toLocaleString('en-US')}. ` +
          'Times are from spawning `spantrail serve` to what headless Chromium shows (playwright-core): the first trace list, ' +
          'the summary reporting every span loaded, the big trace drawn after a click, and a line appended to the file appearing ' +
          'in the list. RSS is the server process from /proc.',
      ],
    };
  } finally {
    child.kill('SIGINT');
    await browser.close();
  }
}

export default {
  id: 14,
  name: 'case14-serve',
  title: '`spantrail serve` on a large trace file',
  run,
};
