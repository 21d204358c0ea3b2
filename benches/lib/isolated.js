// Each contender alone in its own `node` process: a contender's garbage
// (an OpenTelemetry batch queue of 100k spans, say) cannot be collected
// during another's rounds, and JIT feedback is never shared. Rounds rotate
// the order, so none always runs first.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

const childScript = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'isolatedChild.js',
);

function runChild(caseUrl, name, calls, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', childScript, caseUrl, name, String(calls), dir],
      { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`bench child '${name}' exited with ${code}`));
        return;
      }
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/**
 * Runs every contender of the case module `caseUrl` (its `contenders`
 * export) in `rounds` rounds of fresh processes, `calls` calls each, and
 * returns a row per contender: median, minimum and spread of ns per call,
 * and the median of the per-round overhead over `baseline` (the same
 * round's baseline process, so a slow round does not skew the overhead).
 */
async function compareIsolated({
  caseUrl,
  names,
  baseline,
  calls,
  rounds,
  tmpDir,
}) {
  const perRound = names.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const i = (k + r) % names.length;
      const dir = fs.mkdtempSync(path.join(tmpDir, `r${r}-`));
      perRound[i].push(await runChild(caseUrl, names[i], calls, dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const b = names.indexOf(baseline);
  return names.map((name, i) => {
    const ns = perRound[i].map((x) => x.nsPerCall);
    const overheads = perRound[i].map(
      (x, r) => x.nsPerCall - perRound[b][r].nsPerCall,
    );
    const m = median(ns);
    const wall = perRound[i].map((x) => x.wallNsPerCall);
    const wallOverheads = perRound[i].map(
      (x, r) => x.wallNsPerCall - perRound[b][r].wallNsPerCall,
    );
    const last = perRound[i][perRound[i].length - 1];
    return {
      contender: name,
      nsPerCall: m,
      minNs: Math.min(...ns),
      spreadPct: ((Math.max(...ns) - Math.min(...ns)) / m) * 100,
      overheadNs: median(overheads),
      wallNs: median(wall),
      wallOverheadNs: median(wallOverheads),
      bytesPerCall: last.bytesPerCall,
      extra: last.extra,
      rounds: ns,
    };
  });
}

export { compareIsolated };
