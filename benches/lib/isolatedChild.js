// One contender of one case, alone in this process:
// node isolatedChild.js <case module URL> <contender> <calls> <folder>
// Prints one JSON line: CPU and wall ns per call, bytes written per call, and what the
// contender's own check reports.
import fs from 'node:fs';
import path from 'node:path';

const [caseUrl, name, callsText, dir] = process.argv.slice(2);
const calls = Number(callsText);
const { contenders } = await import(caseUrl);
const make = contenders[name];
if (make === undefined) throw new Error(`no contender '${name}'`);
const c = await make({ dir, calls });

function bytesWritten() {
  let total = 0;
  for (const f of fs.readdirSync(dir))
    total += fs.statSync(path.join(dir, f)).size;
  return total;
}

// warm-up: the JIT settles before the timed calls
await c.run(Math.max(1000, calls >> 3));
await c.settle?.();
globalThis.gc?.();
const before = bytesWritten();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await c.run(calls);
// the timed work ends when every record is in the file: a batch processor
// that exports at shutdown pays for it here, as a buffered output does in
// the loop
await c.close();
const dt = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const bytes = bytesWritten() - before;
const extra = (await c.check?.()) ?? undefined;
process.stdout.write(
  JSON.stringify({
    wallNsPerCall: (dt * 1e6) / calls,
    // CPU time of this process (all its threads, GC helpers included): on a
    // shared machine, other processes' load barely moves it
    nsPerCall: ((cpu.user + cpu.system) * 1e3) / calls,
    bytesPerCall: bytes / calls,
    extra,
  }) + '\n',
);
