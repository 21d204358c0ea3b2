import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/harness.js';
import { distDir } from '../lib/spantrail.js';

const exec = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(distDir, 'cli', 'main.js');
const timeBin = '/usr/bin/time';

/** Wall seconds and peak RSS (VmHWM) of a command, from GNU time. */
async function measure(args, tmpDir) {
  const out = path.join(tmpDir, 'time.txt');
  if (fs.existsSync(timeBin)) {
    await exec(timeBin, ['-f', '%e %M', '-o', out, process.execPath, ...args], {
      maxBuffer: 64 << 20,
    });
    const [seconds, kb] = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(-2);
    return { seconds: Number(seconds), peakRss: Number(kb) * 1024 };
  }
  // no GNU time: wall clock only
  const t0 = performance.now();
  await exec(process.execPath, args, { maxBuffer: 64 << 20 });
  return { seconds: (performance.now() - t0) / 1000, peakRss: undefined };
}

async function run({ quick, tmpDir }) {
  if (!fs.existsSync(cli)) {
    return { unavailable: 'the CLI is not built (dist/cli/main.js)' };
  }
  const sizes = quick ? [10_000, 100_000] : [100_000, 1_000_000];
  const rounds = quick ? 1 : 3;
  const files = {};
  for (const n of sizes) {
    files[n] = path.join(tmpDir, `trace-${n}.jsonl`);
    await exec(process.execPath, [
      path.join(here, 'stats-gen.js'),
      files[n],
      String(n),
    ]);
  }
  const { stdout: check } = await exec(
    process.execPath,
    [cli, 'stats', '--json', files[sizes[1]]],
    {
      maxBuffer: 64 << 20,
    },
  );
  const spansSeen = JSON.parse(check).spans;
  if (spansSeen !== sizes[1]) {
    throw new Error(
      `case 9: stats saw ${spansSeen} spans, expected ${sizes[1]}`,
    );
  }
  const contenders = [
    {
      name: 'none (readline + JSON.parse)',
      args: (f) => [path.join(here, 'stats-baseline.js'), f],
    },
    { name: 'spantrail stats', args: (f) => [cli, 'stats', f] },
  ];
  const rows = [];
  for (const n of sizes) {
    const runs = new Map(contenders.map((c) => [c.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + r) % contenders.length];
        runs.get(c.name).push(await measure(c.args(files[n]), tmpDir));
      }
    }
    for (const c of contenders) {
      const rs = runs.get(c.name);
      const seconds = median(rs.map((x) => x.seconds));
      rows.push({
        contender: c.name,
        spans: n,
        fileMB: fs.statSync(files[n]).size / 1e6,
        seconds,
        spansPerSec: n / seconds,
        peakRss:
          rs[0].peakRss == null ? undefined : median(rs.map((x) => x.peakRss)),
        runs: rs,
      });
    }
  }
  const small = rows.find(
    (r) => r.contender === 'spantrail stats' && r.spans === sizes[0],
  );
  const big = rows.find(
    (r) => r.contender === 'spantrail stats' && r.spans === sizes[1],
  );
  const base = rows.find(
    (r) => r.contender !== 'spantrail stats' && r.spans === sizes[1],
  );
  const growth = big.peakRss == null ? undefined : big.peakRss / small.peakRss;
  const mib = (b) => (b == null ? '-' : (b / 2 ** 20).toFixed(0));
  return {
    rows,
    columns: [
      { key: 'contender', label: 'reader' },
      { key: 'spans', label: 'spans', fmt: (v) => v.toLocaleString('en-US') },
      { key: 'fileMB', label: 'file (MB)', fmt: (v) => v.toFixed(0) },
      { key: 'seconds', label: 'wall (s)', fmt: (v) => v.toFixed(2) },
      {
        key: 'spansPerSec',
        label: 'spans/s',
        fmt: (v) => Math.round(v).toLocaleString('en-US'),
      },
      { key: 'peakRss', label: 'peak RSS (MiB)', fmt: mib },
    ],
    targets: [
      {
        text: `at most 0.5x the time of a bare readline + JSON.parse pass (${sizes[1].toLocaleString('en-US')} spans, same run)`,
        measured: `${(big.seconds / base.seconds).toFixed(2)}x (${big.seconds.toFixed(2)} s vs ${base.seconds.toFixed(2)} s)`,
        met: quick ? null : big.seconds <= 0.5 * base.seconds,
      },
      {
        text: `under 2 s for ${sizes[1].toLocaleString('en-US')} spans`,
        measured: `${big.seconds.toFixed(2)} s`,
        met: quick ? null : big.seconds < 2,
      },
      {
        text: `flat memory (peak RSS at ${sizes[1].toLocaleString('en-US')} spans under 1.5x that at ${sizes[0].toLocaleString('en-US')})`,
        measured:
          growth == null
            ? 'no /usr/bin/time'
            : `${mib(small.peakRss)} -> ${mib(big.peakRss)} MiB (${growth.toFixed(2)}x)`,
        met: growth == null ? null : growth < 1.5,
      },
    ],
    notes: [
      'Trace files are written by the real Tracer (`start` and `span` ' +
        'records; traces of 10 spans, 20 names, 2% errors). Each reader is a ' +
        `fresh \`node\` process under \`/usr/bin/time\` (${rounds} round(s), ` +
        'order rotated, medians); `spantrail stats` prints its text report ' +
        '(discarded). `none` streams the file with readline and parses ' +
        'every line: the floor for any JSONL reader in Node.' +
        (quick
          ? ' Quick mode uses 100,000 spans, so the time target is not judged.'
          : ''),
    ],
  };
}

export default {
  id: 9,
  name: 'case9-stats',
  title: '`spantrail stats` on a large trace file',
  run,
};
