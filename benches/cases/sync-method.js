// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { contendersFor } from '../lib/contenders.js';
import { runTracedCall, columns, contenderNote } from '../lib/tracedCall.js';
import { fmtRatio } from '../lib/report.js';

const contenders = contendersFor({
  method: 'compute',
  async: false,
  spans: 1,
  create: () =>
    class Svc {
      compute(x) {
        return (x * 31 + 7) % 1009;
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
        text: 'at least 4x less overhead than OpenTelemetry with BatchSpanProcessor',
        measured: `${fmtRatio(st.otelBatchVs)} on CPU time (${fmtRatio(st.otelBatchWallVs)} on wall time)`,
        met: st.otelBatchVs >= 4,
      },
      {
        text: 'none set against the floor (informational)',
        measured: `${fmtRatio(st.vsFloor)} the floor's overhead`,
        met: null,
      },
    ],
    notes: [
      '`compute(x) { return (x * 31 + 7) % 1009; }` called in a loop inside ' +
        'an active parent span (the loop never yields: a batch processor ' +
        'exports at shutdown, which the timing includes). ' +
        contenderNote,
    ],
  };
}

export { contenders };
export default {
  id: 3,
  name: 'case3-sync-method',
  title: 'Traced sync method, ALS context, file output',
  run,
};
