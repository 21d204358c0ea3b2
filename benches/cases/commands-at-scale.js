import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { distDir } from '../lib/spantrail.js';
import { writeTraces } from '../lib/genTraces.js';

const exec = promisify(execFile);
const cli = path.join(distDir, 'cli', 'main.js');
const timeBin = '/usr/bin/time';

/** Runs the CLI under GNU time: wall seconds, peak RSS, exit code. */
async function measure(args, tmpDir) {
  const out = path.join(tmpDir, 'time.txt');
  const useTime = fs.existsSync(timeBin);
  const t0 = performance.now();
  let code = 0;
  try {
    if (useTime) {
      await exec(
        timeBin,
        ['-f', '%e %M', '-o', out, process.execPath, cli, ...args],
        {
          maxBuffer: 1 << 30,
        },
      );
    } else {
      await exec(process.execPath, [cli, ...args], { maxBuffer: 1 << 30 });
    }
  } catch (e) {
    code = e.code ?? 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!useTime) return { seconds, peakRss: undefined, code };
  const [, kb] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2);
  return { seconds, peakRss: Number(kb) * 1024, code };
}

/** Peak RSS of the runtime itself: node running an empty program. */
async function baseRss(tmpDir) {
  const out = path.join(tmpDir, 'time.txt');
  if (!fs.existsSync(timeBin)) return undefined;
  await exec(timeBin, ['-f', '%M', '-o', out, process.execPath, '-e', '']);
  return Number(fs.readFileSync(out, 'utf8').trim().split(/\s+/).at(-1)) * 1024;
}

/** Most a command's memory above the runtime's may grow, times the spans. */
const linearSlack = 1.5;

async function run({ quick, tmpDir }) {
  if (!fs.existsSync(cli)) return { unavailable: 'the CLI is not built' };
  // each shape at two sizes, ten times apart: memory linear in spans grows
  // about ten times above the runtime's own, quadratic a hundred times
  const many = quick ? [2_000, 20_000] : [100_000, 1_000_000];
  const deep = quick ? [500, 5_000] : [10_000, 100_000];
  const inputs = [
    ...many.map((spans) => ({ label: 'many traces', spans, opts: {} })),
    ...deep.map((spans) => ({
      label: 'deep chain',
      spans,
      opts: { deep: spans },
    })),
  ];
  const base = await baseRss(tmpDir);
  const rows = [];
  for (const input of inputs) {
    const file = path.join(tmpDir, `in-${input.spans}.jsonl`);
    writeTraces(file, { spans: input.spans, ...input.opts });
    const fileMB = fs.statSync(file).size / 1e6;
    const out = (ext) => path.join(tmpDir, `out.${ext}`);
    const commands = [
      ['view', [file]],
      ['view --mode time', ['--mode', 'time', file]],
      ['html', [file, '-o', out('html')]],
      ['convert --to otlp', [file, '--to', 'otlp', '-o', out('otlp.json')]],
      [
        'convert --to chrome',
        [file, '--to', 'chrome', '-o', out('chrome.json')],
      ],
      [
        'convert --to speedscope',
        [file, '--to', 'speedscope', '-o', out('speedscope.json')],
      ],
      ['stats', [file]],
    ];
    for (const [name, args] of commands) {
      const command = name.split(' ')[0];
      const r = await measure([command, ...args], tmpDir);
      rows.push({
        shape: input.label,
        spans: input.spans,
        input: `${input.label}, ${input.spans.toLocaleString('en-US')} spans (${fileMB.toFixed(0)} MB)`,
        command: name,
        seconds: r.seconds,
        peakRss: r.peakRss,
        perSpan: r.peakRss == null ? undefined : r.peakRss / input.spans,
        ok: r.code === 0,
      });
      for (const ext of [
        'html',
        'otlp.json',
        'chrome.json',
        'speedscope.json',
      ]) {
        fs.rmSync(out(ext), { force: true });
      }
    }
    fs.rmSync(file, { force: true });
  }
  // growth of each command's memory above the runtime's, small to large
  const growth = [];
  for (const big of rows) {
    const small = rows.find(
      (r) =>
        r.shape === big.shape &&
        r.command === big.command &&
        r.spans < big.spans,
    );
    if (small === undefined || base === undefined) continue;
    if (big.peakRss == null || small.peakRss == null) continue;
    const ratio =
      Math.max(big.peakRss - base, 0) / Math.max(small.peakRss - base, 1);
    big.growth = ratio;
    growth.push({
      what: `${big.command} (${big.shape})`,
      ratio,
      limit: (big.spans / small.spans) * linearSlack,
    });
  }
  const failed = rows.filter((r) => !r.ok);
  const superLinear = growth.filter((g) => g.ratio > g.limit);
  const worst = growth.reduce(
    (w, g) => (w == null || g.ratio > w.ratio ? g : w),
    undefined,
  );
  const mib = (b) => (b == null ? '-' : (b / 2 ** 20).toFixed(0));
  return {
    rows,
    columns: [
      { key: 'input', label: 'input' },
      { key: 'command', label: 'command' },
      { key: 'seconds', label: 'wall (s)', fmt: (v) => v.toFixed(2) },
      { key: 'peakRss', label: 'peak RSS (MiB)', fmt: mib },
      {
        key: 'perSpan',
        label: 'bytes/span',
        fmt: (v) => (v == null ? '-' : v.toFixed(0)),
      },
      {
        key: 'growth',
        label: 'memory growth (10x spans)',
        fmt: (v) => (v == null ? '' : `${v.toFixed(1)}x`),
      },
      { key: 'ok', label: 'exit 0', fmt: (v) => (v ? 'yes' : 'NO') },
    ],
    targets: [
      {
        text: 'view, html and convert complete without error on many traces and on a deep chain',
        measured:
          failed.length === 0
            ? `all ${rows.length} runs exit 0`
            : `failed: ${failed.map((r) => `${r.command} (${r.input})`).join(', ')}`,
        met: failed.length === 0,
      },
      {
        text: `memory linear in spans: with 10 times the spans, each command's peak RSS above the runtime's own grows at most ${10 * linearSlack} times`,
        measured:
          worst === undefined
            ? 'not measured (no /usr/bin/time)'
            : superLinear.length === 0
              ? `largest growth ${worst.ratio.toFixed(1)}x (${worst.what})`
              : `over: ${superLinear.map((g) => `${g.what} ${g.ratio.toFixed(1)}x`).join(', ')}`,
        met: worst !== undefined && superLinear.length === 0,
      },
    ],
    notes: [
      "Files in the tracer's layout (`benches/lib/genTraces.js`): traces of 10 spans; and one trace that is a single parent chain; each at two sizes ten times apart. " +
        'Each command is a fresh process under `/usr/bin/time`, writing to a file (or its text to a pipe that is discarded). ' +
        `The runtime's own peak RSS (node with an empty program) was ${mib(base)} MiB; growth is of the peak RSS above it. ` +
        '`html` embeds at most 100,000 spans and says so; its flame graph and tables cover the whole input.',
    ],
  };
}

export default {
  id: 15,
  name: 'case15-commands-at-scale',
  title: '`view`, `html`, `convert` on many spans and on a deep chain',
  run,
};
