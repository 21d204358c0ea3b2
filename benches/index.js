import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './lib/machine.js';
import { settings as getSettings } from './lib/harness.js';
import { printCase, writeResult, markdown } from './lib/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Case 5 (tracing off) runs before any case sets a tracer: the decorator's
// wrapper is one function, and a process that has traced calls before
// would hand case 5 JIT feedback a tracing-off service never has.
const caseFiles = [
  'span-attributes.js',
  'tracing-off.js',
  'async-method.js',
  'sync-method.js',
  'nested.js',
  'writer.js',
  'memory.js',
  'ids.js',
  'stats.js',
  'import-time.js',
  'first-span.js',
  'preload-startup.js',
  'http.js',
  'serve.js',
  'commands-at-scale.js',
];

function parseArgs(argv) {
  const args = { quick: false, only: undefined };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a.startsWith('--only=')) {
      args.only = new Set(a.slice(7).split(',').map(Number));
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: node benches/index.js [--quick] [--only=1,2,...]\n',
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${a}`);
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dist = process.env.SPANTRAIL_DIST || path.join(here, '..', 'dist');
  if (!fs.existsSync(path.join(dist, 'index.js'))) {
    throw new Error(`${dist} has no build: run \`npm run bench\` (it builds)`);
  }
  const started = performance.now();
  const meta = {
    machine: machine(),
    date: new Date().toISOString(),
    quick: args.quick,
  };
  const m = meta.machine;
  process.stdout.write(
    `spantrail benchmarks${args.quick ? ' (quick)' : ''}: ${m.cpu}, ` +
      `${m.cores} cores, Node ${m.node}, ${m.os}\n`,
  );
  const settings = getSettings(args.quick);
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-bench-'));
  const outDir = path.join(here, 'results', args.quick ? 'quick' : '');
  const results = [];
  try {
    for (const file of caseFiles) {
      if (!fs.existsSync(path.join(here, 'cases', file))) continue;
      const { default: c } = await import(`./cases/${file}`);
      if (args.only != null && !args.only.has(c.id)) continue;
      const tmpDir = fs.mkdtempSync(path.join(tmpRoot, `case${c.id}-`));
      const t0 = performance.now();
      let result;
      try {
        result = await c.run({ quick: args.quick, settings, tmpDir, here });
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
      }
      result = {
        id: c.id,
        name: c.name,
        title: c.title,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        ...result,
      };
      results.push(result);
      printCase(result);
      writeResult(outDir, result, meta);
    }
  } finally {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
  if (args.only == null) {
    fs.writeFileSync(path.join(outDir, 'summary.md'), markdown(results, meta));
  }
  process.stdout.write(
    `\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `results in ${path.relative(process.cwd(), outDir) || '.'}\n`,
  );
}

await main();
