// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import path from 'node:path';
import { Tracer, setTracer } from '../lib/spantrail.js';
import { compare, consume } from '../lib/harness.js';
import { addRatios, fmtRatio } from '../lib/report.js';
import { createOtel, otelTraced, otelWithParent } from '../lib/otel.js';
import { decorate, loadTraced } from '../lib/decorate.js';

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
  decorate(WithSpantrail, 'compute', traced());
  WithOtel.prototype.compute = otelTraced(
    otel.tracer,
    'WithOtel.compute',
    WithOtel.prototype.compute,
  );
  const plain = new Plain();
  const st = new WithSpantrail();
  const ot = new WithOtel();
  const stParent = tracer.startSpan('request');
  const contenders = [
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
  ];
  let rows;
  try {
    rows = addRatios(await compare(contenders, settings));
  } finally {
    setTracer(previous);
    await tracer.close();
    await otel.close();
  }
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
