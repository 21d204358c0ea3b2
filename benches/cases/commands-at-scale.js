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

async function run({ quick, tmpDir }) {
  if (!fs.existsSync(cli)) return { unavailable: 'the CLI is not built' };
  const inputs = [
    { label: 'many traces', spans: quick ? 20_000 : 1_000_000, opts: {} },
    {
      label: 'deep chain',
      spans: quick ? 5_000 : 100_000,
      opts: { deep: quick ? 5_000 : 100_000 },
    },
  ];
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
  const failed = rows.filter((r) => !r.ok);
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
    ],
    notes: [
      "Files in the tracer's layout (`benches/lib/genTraces.js`): traces of 10 spans; and one trace that is a single parent chain. " +
        'Each command is a fresh process under `/usr/bin/time`, writing to a file (or its text to a pipe that is discarded). ' +
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
