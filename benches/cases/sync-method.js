// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { consume } from '../lib/harness.js';
import { fmtRatio } from '../lib/report.js';
import { otelWithParent } from '../lib/otel.js';
import { compareDecorated } from '../lib/decorated.js';

class Plain {
  compute(x) {
    return (x * 31 + 7) % 1009;
  }
}
class WithSpantrail {
  compute(x) {
    return (x * 31 + 7) % 1009;
  }
}
class WithOtel {
  compute(x) {
    return (x * 31 + 7) % 1009;
  }
}

async function run({ settings, tmpDir }) {
  const plain = new Plain();
  const st = new WithSpantrail();
  const ot = new WithOtel();
  const { rows, unavailable } = await compareDecorated({
    settings,
    tmpDir,
    WithSpantrail,
    WithOtel,
    method: 'compute',
    contenders: ({ tracer, otel, stParent }) => [
      {
        name: 'none',
        run(n) {
          for (let i = 0; i < n; i++) consume(plain.compute(i));
        },
      },
      {
        name: 'spantrail',
        run(n) {
          tracer.withSpan(stParent, () => {
            for (let i = 0; i < n; i++) consume(st.compute(i));
          });
        },
      },
      {
        name: 'OpenTelemetry',
        run(n) {
          otelWithParent(otel.tracer, () => {
            for (let i = 0; i < n; i++) consume(ot.compute(i));
          });
        },
      },
    ],
  });
  if (unavailable !== undefined) return { unavailable };
  const none = rows.find((r) => r.contender === 'none');
  const s = rows.find((r) => r.contender === 'spantrail');
  return {
    rows,
    targets: [
      {
        text: 'none set (informational)',
        measured: `spantrail ${fmtRatio(s.vsOtel)} OTel throughput, +${((s.nsPerOp - none.nsPerOp) / 1000).toFixed(2)} us per call`,
        met: null,
      },
    ],
    notes: [
      '`compute(x) { return (x * 31 + 7) % 1009; }` inside an active parent ' +
        'span; tracers and outputs as in case 2. The OTel processor still ' +
        'exports through a promise per span, settled at the end of each ' +
        'synchronous batch.',
    ],
  };
}

export default {
  id: 3,
  name: 'case3-sync-method',
  title: 'Decorated sync method, file output',
  run,
};
