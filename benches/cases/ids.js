import idMod from '@matrixai/id';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { IdGenerator } from '../lib/spantrail.js';
import { compare, consume } from '../lib/harness.js';
import { fmtNum } from '../lib/report.js';

const { IdSortable } = idMod;

async function run({ settings }) {
  const ids = new IdGenerator();
  const sortable = new IdSortable();
  const otelIds = new RandomIdGenerator();
  const contenders = [
    {
      name: 'spantrail IdGenerator.next()',
      run(n) {
        for (let i = 0; i < n; i++) consume(ids.next().length);
      },
    },
    {
      name: 'spantrail IdGenerator.next(perfNow), as the Tracer calls it',
      run(n) {
        const now = performance.now();
        for (let i = 0; i < n; i++) consume(ids.next(now + i * 1e-4).length);
      },
    },
    {
      name: '@matrixai/id IdSortable.get()',
      run(n) {
        for (let i = 0; i < n; i++) consume(sortable.get().length);
      },
    },
    {
      name: 'IdSortable.get() + hex',
      run(n) {
        for (let i = 0; i < n; i++) consume(sortable.get().toString().length);
      },
    },
    {
      name: 'OpenTelemetry RandomIdGenerator.generateTraceId()',
      run(n) {
        for (let i = 0; i < n; i++) consume(otelIds.generateTraceId().length);
      },
    },
    {
      name: 'crypto.randomUUID()',
      run(n) {
        for (let i = 0; i < n; i++) consume(crypto.randomUUID().length);
      },
    },
  ];
  const rows = await compare(contenders, settings);
  const st = rows[0];
  const ref = rows[2];
  for (const r of rows) r.vsIdSortable = r.opsPerSec / ref.opsPerSec;
  return {
    rows,
    columns: [
      { key: 'contender', label: 'generator' },
      { key: 'opsPerSec', label: 'ids/s', fmt: fmtNum },
      { key: 'nsPerOp', label: 'ns/id', fmt: (v) => fmtNum(v) },
      {
        key: 'vsIdSortable',
        label: 'vs IdSortable.get()',
        fmt: (v) => v.toFixed(2) + 'x',
      },
      { key: 'spreadPct', label: 'spread', fmt: (v) => v.toFixed(0) + '%' },
    ],
    targets: [
      {
        text: 'under 100 ns per id',
        measured: `${st.nsPerOp.toFixed(1)} ns`,
        met: st.nsPerOp < 100,
      },
      {
        text: 'faster than IdSortable.get() (informational)',
        measured: `${st.vsIdSortable.toFixed(1)}x`,
        met: null,
      },
    ],
    notes: [
      'spantrail makes 128-bit ids as 32 hex characters (the string it ' +
        'writes); IdSortable.get() returns 16 bytes, and "+ hex" adds its ' +
        'toString() to compare like with like. `next()` reads ' +
        '`performance.now()` itself (about 50 ns on Node 20); the Tracer ' +
        'passes the reading it already took for the span start. OpenTelemetry trace ids are ' +
        '128 random bits as hex, not time-sortable. No "none" contender: ' +
        'there is nothing to subtract.',
    ],
  };
}

export default {
  id: 8,
  name: 'case8-ids',
  title: 'Id generation',
  run,
};
