import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/harness.js';

const exec = promisify(execFile);
const child = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'memory-child.js',
);
const mb = (b) => (b / 2 ** 20).toFixed(2);

async function run({ quick, tmpDir }) {
  const count = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 1 : 3;
  const names = [
    'none',
    'spantrail',
    'OpenTelemetry, BatchSpanProcessor',
    'OpenTelemetry, SimpleSpanProcessor',
  ];
  const runs = new Map(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const file = path.join(tmpDir, `${name}-${r}.jsonl`);
      const { stdout } = await exec(
        process.execPath,
        ['--expose-gc', child, name, String(count), file],
        { maxBuffer: 1 << 20 },
      );
      const result = JSON.parse(stdout);
      if (name !== 'none') {
        result.fileBytes = fs.statSync(file).size;
        fs.rmSync(file);
      }
      runs.get(name).push(result);
    }
  }
  const rows = names.map((name) => {
    const rs = runs.get(name);
    return {
      contender: name,
      growth: median(rs.map((x) => x.growth)),
      peakGrowth: median(rs.map((x) => x.peakGrowth)),
      rss: median(rs.map((x) => x.rss)),
      spansPerSec: count / median(rs.map((x) => x.seconds)),
      fileBytes: rs[0].fileBytes,
      runs: rs,
    };
  });
  const st = rows.find((r) => r.contender === 'spantrail');
  return {
    rows,
    columns: [
      { key: 'contender', label: 'contender' },
      { key: 'growth', label: 'heap growth after GC (MiB)', fmt: mb },
      { key: 'peakGrowth', label: 'peak heap growth (MiB)', fmt: mb },
      { key: 'rss', label: 'RSS at end (MiB)', fmt: (v) => mb(v) },
      {
        key: 'spansPerSec',
        label: 'spans/s',
        fmt: (v) => Math.round(v).toLocaleString('en-US'),
      },
      {
        key: 'fileBytes',
        label: 'file (MB)',
        fmt: (v) => (v == null ? '-' : (v / 1e6).toFixed(0)),
      },
    ],
    targets: [
      {
        text: `heap growth under 16 MB (${count.toLocaleString('en-US')} spans)`,
        measured: `${mb(st.growth)} MiB`,
        met: st.growth < 16 * 2 ** 20,
      },
    ],
    notes: [
      `Each contender runs in its own \`node --expose-gc\` child (${rounds} ` +
        'round(s), order rotated, median shown): after a warm-up of 1,000 ' +
        `spans and \`gc()\`, ${count.toLocaleString('en-US')} spans with 3 ` +
        'attributes are started and ended, yielding to the event loop every ' +
        '1,000 spans; then the tracer is flushed, `gc()` runs and heapUsed ' +
        'is read again. Peak is sampled every 50,000 spans.',
    ],
  };
}

export default {
  id: 7,
  name: 'case7-memory',
  title: 'Memory: spans streamed to a file',
  run,
};
