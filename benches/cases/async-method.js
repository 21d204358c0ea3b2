// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import path from 'node:path';
import { Tracer } from '../lib/spantrail.js';
import { consume } from '../lib/harness.js';
import { fmtRatio } from '../lib/report.js';
import { otelWithParent } from '../lib/otel.js';
import { compareDecorated } from '../lib/decorated.js';
import { decorate } from '../lib/decorate.js';

// three copies of one class, so each contender has its own call sites
class Plain {
  async handle(x) {
    await null;
    return x + 1;
  }
}
class WithSpantrail {
  async handle(x) {
    await null;
    return x + 1;
  }
}
class WithSpantrailNoStart {
  async handle(x) {
    await null;
    return x + 1;
  }
}
class WithOtel {
  async handle(x) {
    await null;
    return x + 1;
  }
}

async function run({ settings, tmpDir }) {
  const plain = new Plain();
  const st = new WithSpantrail();
  const ot = new WithOtel();
  const stNoStart = new WithSpantrailNoStart();
  const { rows, unavailable } = await compareDecorated({
    settings,
    tmpDir,
    WithSpantrail,
    WithOtel,
    method: 'handle',
    contenders: ({ tracer, otel, traced, stParent, onClose }) => {
      // informational: the same call when only `span` records are written,
      // as the OTel exporter writes (half the bytes)
      const spanOnly = new Tracer({
        service: 'bench',
        output: path.join(tmpDir, 'spantrail-span-only.jsonl'),
        emitStart: false,
      });
      onClose(() => spanOnly.close());
      decorate(WithSpantrailNoStart, 'handle', traced({ tracer: spanOnly }));
      const spanOnlyParent = spanOnly.startSpan('request');
      return [
        {
          name: 'none',
          async: true,
          async run(n) {
            for (let i = 0; i < n; i++) consume(await plain.handle(i));
          },
        },
        {
          name: 'spantrail',
          async: true,
          run(n) {
            return tracer.withSpan(stParent, async () => {
              for (let i = 0; i < n; i++) consume(await st.handle(i));
            });
          },
        },
        {
          name: 'spantrail, emitStart: false',
          async: true,
          run(n) {
            return spanOnly.withSpan(spanOnlyParent, async () => {
              for (let i = 0; i < n; i++) consume(await stNoStart.handle(i));
            });
          },
        },
        {
          name: 'OpenTelemetry',
          async: true,
          run(n) {
            return otelWithParent(otel.tracer, async () => {
              for (let i = 0; i < n; i++) consume(await ot.handle(i));
            });
          },
        },
      ];
    },
  });
  if (unavailable !== undefined) return { unavailable };
  const none = rows.find((r) => r.contender === 'none');
  const s = rows.find((r) => r.contender === 'spantrail');
  const overheadUs = (s.nsPerOp - none.nsPerOp) / 1000;
  return {
    rows,
    targets: [
      {
        text: 'at least 4x the throughput of OpenTelemetry',
        measured: fmtRatio(s.vsOtel),
        met: s.vsOtel >= 4,
      },
      {
        text: 'no more than 0.5 us per call above the untraced call',
        measured: `+${overheadUs.toFixed(2)} us`,
        met: overheadUs <= 0.5,
      },
    ],
    notes: [
      '`async handle(x) { await null; return x + 1; }` called in a loop ' +
        '(`await` on each call) inside an active parent span; spantrail ' +
        '`@traced()` with the global tracer writing to a file (default ' +
        'options: `start` and `span` records, batched); OTel ' +
        '`startActiveSpan` wrapper, `SimpleSpanProcessor`, JSONL exporter ' +
        '(`span` records only), `AsyncLocalStorageContextManager`. The ' +
        '`emitStart: false` row (informational) writes only `span` ' +
        'records, like the OTel exporter; targets are judged on the default.',
    ],
  };
}

export default {
  id: 2,
  name: 'case2-async-method',
  title: 'Decorated async method, one await, ALS context, file output',
  run,
};
