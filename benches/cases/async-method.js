// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { contendersFor } from '../lib/contenders.js';
import { runTracedCall, columns, contenderNote } from '../lib/tracedCall.js';
import { fmtRatio } from '../lib/report.js';

const contenders = contendersFor({
  method: 'work',
  async: true,
  spans: 1,
  create: () =>
    class Svc {
      async work(x) {
        await null;
        return x + 1;
      }
    },
});

async function run({ quick, tmpDir }) {
  const { rows, by } = await runTracedCall({
    caseUrl: import.meta.url,
    quick,
    tmpDir,
  });
  const st = by('spantrail');
  return {
    rows,
    columns,
    targets: [
      {
        text: 'overhead at most 2.5x the floor',
        measured: fmtRatio(st.vsFloor),
        met: st.vsFloor <= 2.5,
      },
      {
        text: 'at least 4x less overhead than OpenTelemetry with BatchSpanProcessor',
        measured: fmtRatio(st.otelBatchVs),
        met: st.otelBatchVs >= 4,
      },
      {
        text: 'at most 260 bytes written per call (`Svc.work`, no attributes)',
        measured: `${st.bytesPerCall.toFixed(0)} bytes`,
        met: st.bytesPerCall <= 260,
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
