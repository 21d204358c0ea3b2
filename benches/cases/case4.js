// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import path from 'node:path';
import { Tracer, setTracer } from '../lib/spantrail.js';
import { compare, consume } from '../lib/harness.js';
import { addRatios, fmtRatio } from '../lib/report.js';
import { createOtel, otelTraced, otelWithParent } from '../lib/otel.js';
import { decorate, loadTraced } from '../lib/decorate.js';

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
  const traced = await loadTraced();
  if (traced === undefined) {
    return { unavailable: 'the `traced` decorator is not built (dist/)' };
  }
  const tracer = new Tracer({
    service: 'bench',
    output: path.join(tmpDir, 'spantrail.jsonl'),
  });
  const previous = setTracer(tracer);
  const otel = createOtel(path.join(tmpDir, 'otel.jsonl'));
  decorate(WithSpantrail, 'level', traced());
  WithOtel.prototype.level = otelTraced(
    otel.tracer,
    'WithOtel.level',
    WithOtel.prototype.level,
  );
  const plain = new Plain();
  const st = new WithSpantrail();
  const ot = new WithOtel();
  const stParent = tracer.startSpan('request');
  const contenders = [
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
  ];
  let rows;
  try {
    rows = addRatios(await compare(contenders, settings));
  } finally {
    setTracer(previous);
    await tracer.close();
    await otel.close();
  }
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
