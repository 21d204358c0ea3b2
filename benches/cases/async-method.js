// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { contendersFor } from '../lib/contenders.js';
import { runTracedCall, columns, contenderNote } from '../lib/tracedCall.js';
import fs from 'node:fs';
import path from 'node:path';
import { fmtRatio } from '../lib/report.js';
import { Tracer } from '../lib/spantrail.js';
import { loadTraced, decorate } from '../lib/decorate.js';

/**
 * Bytes a short traced call adds to the file when it is a root span (no
 * parent: the loop above runs under one, whose id every record repeats),
 * counted exactly on 1000 calls of `Svc.work`.
 */
async function rootCallBytes(tmpDir) {
  const file = path.join(tmpDir, 'root-calls.jsonl');
  const tracer = new Tracer({ service: 'bench', output: file });
  const traced = await loadTraced();
  const Svc = create();
  decorate(Svc, 'work', traced({ tracer }));
  const svc = new Svc();
  await tracer.flush();
  const before = fs.statSync(file).size;
  const calls = 1000;
  for (let i = 0; i < calls; i++) await svc.work(i);
  await tracer.close();
  return (fs.statSync(file).size - before) / calls;
}

const create = () =>
  class Svc {
    async work(x) {
      await null;
      return x + 1;
    }
  };
const contenders = contendersFor({
  method: 'work',
  async: true,
  spans: 1,
  create,
});

async function run({ quick, tmpDir }) {
  const { rows, by } = await runTracedCall({
    caseUrl: import.meta.url,
    quick,
    tmpDir,
  });
  const st = by('spantrail');
  const rootBytes = await rootCallBytes(tmpDir);
  return {
    rows,
    columns,
    targets: [
      {
        text: 'overhead at most 2.5x the floor',
        measured: fmtRatio(st.vsFloor),
        met: Number.isFinite(st.vsFloor) ? st.vsFloor <= 2.5 : null,
      },
      {
        text: 'at least 4x less overhead than OpenTelemetry with BatchSpanProcessor',
        measured: `${fmtRatio(st.otelBatchVs)} on CPU time (${fmtRatio(st.otelBatchWallVs)} on wall time)`,
        met: st.otelBatchVs >= 4,
      },
      {
        text: 'at most 260 bytes written per short call (`Svc.work`, no attributes, a root span)',
        measured: `${rootBytes.toFixed(0)} bytes (${st.bytesPerCall.toFixed(0)} under the loop's parent, whose id each record repeats)`,
        met: rootBytes <= 260,
      },
    ],
    notes: [
      '`async work(x) { await null; return x + 1; }` awaited in a loop ' +
        'inside an active parent span. ' +
        contenderNote,
    ],
  };
}

export { contenders };
export default {
  id: 2,
  name: 'case2-async-method',
  title: 'Traced async method, one await, ALS context, file output',
  run,
};
