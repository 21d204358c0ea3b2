import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from '../lib/harness.js';
import { distDir } from '../lib/spantrail.js';

const targetMs = 50;

const timeBin = '/usr/bin/time';

/**
 * Wall and CPU (user + system) milliseconds of one `node` run; CPU from
 * GNU time when it is there. CPU time barely moves with the machine's
 * load, wall time does.
 */
function measure(args, env, cwd, tmpDir) {
  const timed = fs.existsSync(timeBin);
  const out = path.join(tmpDir, 'time.txt');
  const [cmd, cmdArgs] = timed
    ? [timeBin, ['-f', '%U %S', '-o', out, process.execPath, ...args]]
    : [process.execPath, args];
  const t0 = performance.now();
  const r = spawnSync(cmd, cmdArgs, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: ${r.stderr}`);
  let cpuMs;
  if (timed) {
    const [user, sys] = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(-2)
      .map(Number);
    cpuMs = (user + sys) * 1000;
  }
  return { wallMs, cpuMs };
}

async function run({ quick, tmpDir }) {
  const register = path.join(distDir, 'register.js');
  if (!fs.existsSync(register)) {
    return { unavailable: 'the preload is not built (dist/register.js)' };
  }
  // a program outside the repo, as a user's hello world is: no async-init
  // beside it, so the preload needs no module hooks thread
  const hello = path.join(tmpDir, 'hello.mjs');
  fs.writeFileSync(hello, "process.stdout.write('hello\\n');\n");
  const output = path.join(tmpDir, 'trace.jsonl');
  const preload = ['--import', pathToFileURL(register).href];
  const contenders = [
    { name: 'plain node', args: [hello], env: {} },
    {
      name: 'preload, no output (nothing instrumented)',
      args: [...preload, hello],
      env: { SPANTRAIL_OUTPUT: '' },
    },
    {
      name: 'preload + SPANTRAIL_OUTPUT',
      args: [...preload, hello],
      env: { SPANTRAIL_OUTPUT: output },
    },
    {
      name: 'preload + SPANTRAIL_OUTPUT + SPANTRAIL_ESM=1 (hooks thread)',
      args: [...preload, hello],
      env: { SPANTRAIL_OUTPUT: output, SPANTRAIL_ESM: '1' },
    },
  ];
  const rounds = quick ? 5 : 21;
  const times = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    // rotated order: a slow moment of the machine hits every contender
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const c = contenders[i];
      times[i].push(measure(c.args, c.env, tmpDir, tmpDir));
    }
  }
  const med = (i, key) =>
    times[i][0][key] == null ? undefined : median(times[i].map((t) => t[key]));
  const rows = contenders.map((c, i) => ({
    contender: c.name,
    ms: med(i, 'wallMs'),
    minMs: Math.min(...times[i].map((t) => t.wallMs)),
    extraMs: med(i, 'wallMs') - med(0, 'wallMs'),
    extraCpuMs:
      med(i, 'cpuMs') == null ? undefined : med(i, 'cpuMs') - med(0, 'cpuMs'),
  }));
  const measured = rows[2].extraMs;
  const signed = (v) =>
    v == null ? '-' : (v >= 0 ? '+' : '') + v.toFixed(0) + ' ms';
  return {
    rows,
    columns: [
      { key: 'contender', label: 'run' },
      { key: 'ms', label: 'wall ms (median)', fmt: (v) => v.toFixed(0) },
      { key: 'minMs', label: 'wall ms (min)', fmt: (v) => v.toFixed(0) },
      { key: 'extraMs', label: 'wall over plain node', fmt: signed },
      { key: 'extraCpuMs', label: 'CPU over plain node', fmt: signed },
    ],
    targets: [
      {
        text: `hello world with the preload and an output under ${targetMs} ms over plain node`,
        measured: `${measured.toFixed(0)} ms`,
        met: quick ? null : measured < targetMs,
      },
    ],
    notes: [
      `Each run is a fresh \`node\` process (${rounds} rounds, order ` +
        'rotated, medians of wall time including process start and exit; ' +
        'CPU is user + system time from GNU time, steadier on a loaded ' +
        'machine). ' +
        'The preload costs module loading; the module hooks thread that ' +
        'patches ESM builds of async-init starts only when a copy is ' +
        'installed beside the program (or `SPANTRAIL_ESM=1`).' +
        (quick ? ' Quick mode: 5 rounds, the target is not judged.' : ''),
    ],
  };
}

export default {
  id: 11,
  name: 'case11-preload-startup',
  title: 'Start-up cost of `--import spantrail/register`',
  run,
};
