// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { contendersFor } from '../lib/contenders.js';
import { runTracedCall, columns, contenderNote } from '../lib/tracedCall.js';
import { fmtRatio } from '../lib/report.js';

const depth = 10;

// `level(d)` calls itself through the (traced) method: `depth` nested spans
const contenders = contendersFor({
  method: 'level',
  async: false,
  spans: depth,
  arg: () => depth,
  create: () =>
    class Svc {
      level(d) {
        return d <= 1 ? 1 : this.level(d - 1) + 1;
      }
    },
});

async function run({ quick, tmpDir }) {
  const { rows, by } = await runTracedCall({
    caseUrl: import.meta.url,
    quick,
    tmpDir,
    spansPerCall: depth,
  });
  const st = by('spantrail');
  for (const r of rows) r.overheadNsPerSpan = r.overheadNs / depth;
  return {
    rows,
    columns,
    targets: [
      {
        text: 'none set (informational)',
        measured:
          `${fmtRatio(st.otelBatchVs)} less overhead than OpenTelemetry ` +
          `with BatchSpanProcessor, ${fmtRatio(st.vsFloor)} the floor's, ` +
          `${st.overheadNsPerSpan.toFixed(0)} ns per span`,
        met: null,
      },
    ],
    notes: [
      `One call is an outer call making ${depth} nested traced calls ` +
        `(${depth} spans, each the parent of the next), under an active ` +
        'parent span; the floor does its work once per span. ' +
        contenderNote,
    ],
  };
}

export { contenders };
export default {
  id: 4,
  name: 'case4-nested',
  title: `Nested traced calls, depth ${depth}`,
  run,
};
