// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { consume } from '../lib/harness.js';
import { fmtRatio } from '../lib/report.js';
import { otelWithParent } from '../lib/otel.js';
import { compareDecorated } from '../lib/decorated.js';

const depth = 10;

// `level(d)` calls itself through the (decorated) method: 10 nested spans
class Plain {
  level(d) {
    return d <= 1 ? 1 : this.level(d - 1) + 1;
  }
}
class WithSpantrail {
  level(d) {
    return d <= 1 ? 1 : this.level(d - 1) + 1;
  }
}
class WithOtel {
  level(d) {
    return d <= 1 ? 1 : this.level(d - 1) + 1;
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
    method: 'level',
    contenders: ({ tracer, otel, stParent }) => [
      {
        name: 'none',
        run(n) {
          for (let i = 0; i < n; i++) consume(plain.level(depth));
        },
      },
      {
        name: 'spantrail',
        run(n) {
          tracer.withSpan(stParent, () => {
            for (let i = 0; i < n; i++) consume(st.level(depth));
          });
        },
      },
      {
        name: 'OpenTelemetry',
        run(n) {
          otelWithParent(otel.tracer, () => {
            for (let i = 0; i < n; i++) consume(ot.level(depth));
          });
        },
      },
    ],
  });
  if (unavailable !== undefined) return { unavailable };
  for (const r of rows) r.nsPerSpan = r.nsPerOp / depth;
  const s = rows.find((r) => r.contender === 'spantrail');
  return {
    rows,
    targets: [
      {
        text: 'none set (informational)',
        measured: `spantrail ${fmtRatio(s.vsOtel)} OTel throughput, ${(s.nsPerSpan / 1000).toFixed(2)} us per span`,
        met: null,
      },
    ],
    notes: [
      `One op is an outer call making ${depth} nested decorated calls ` +
        `(${depth} spans, each the parent of the next), under an active ` +
        'parent span; tracers and outputs as in case 2.',
    ],
  };
}

export default {
  id: 4,
  name: 'case4-nested',
  title: `Nested decorated calls, depth ${depth}`,
  run,
};
