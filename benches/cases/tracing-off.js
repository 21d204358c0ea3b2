// Plain JavaScript: no access modifiers.
/* eslint-disable @typescript-eslint/explicit-member-accessibility */
import { trace } from '@opentelemetry/api';
import { getTracer, noopTracer, setTracer } from '../lib/spantrail.js';
import { compare, consume } from '../lib/harness.js';
import { fmtNum } from '../lib/report.js';
import { disableOtelContext, otelTraced } from '../lib/otel.js';
import { decorate, loadTraced } from '../lib/decorate.js';

// A small method doing real work (what a traced method typically is), and a
// trivial one that isolates the wrapper's fixed cost. Separate classes give
// each contender its own call sites.
const user = { first: 'Ada', last: 'Lovelace', age: 36, tags: ['a', 'b'] };

class Plain {
  describe(u) {
    return `${u.last.toUpperCase()}, ${u.first} (${u.age}) [${u.tags.join(',')}]`;
  }
  add(a, b) {
    return a + b;
  }
}
class WithSpantrail {
  describe(u) {
    return `${u.last.toUpperCase()}, ${u.first} (${u.age}) [${u.tags.join(',')}]`;
  }
  add(a, b) {
    return a + b;
  }
}
class WithOtel {
  describe(u) {
    return `${u.last.toUpperCase()}, ${u.first} (${u.age}) [${u.tags.join(',')}]`;
  }
  add(a, b) {
    return a + b;
  }
}

async function run({ settings }) {
  const traced = await loadTraced();
  if (traced === undefined) {
    return { unavailable: 'the `traced` decorator is not built (dist/)' };
  }
  // tracing off: no spantrail tracer set, no OpenTelemetry SDK registered
  const previous = setTracer(undefined);
  disableOtelContext();
  if (getTracer() !== noopTracer) throw new Error('case 5: a tracer is set');
  const apiTracer = trace.getTracer('bench');
  decorate(WithSpantrail, 'describe', traced());
  decorate(WithSpantrail, 'add', traced());
  WithOtel.prototype.describe = otelTraced(
    apiTracer,
    'WithOtel.describe',
    WithOtel.prototype.describe,
  );
  WithOtel.prototype.add = otelTraced(
    apiTracer,
    'WithOtel.add',
    WithOtel.prototype.add,
  );
  const plain = new Plain();
  const st = new WithSpantrail();
  const ot = new WithOtel();
  const contenders = [
    {
      name: 'none: describe()',
      run(n) {
        for (let i = 0; i < n; i++) consume(plain.describe(user).length);
      },
    },
    {
      name: 'spantrail off: describe()',
      run(n) {
        for (let i = 0; i < n; i++) consume(st.describe(user).length);
      },
    },
    {
      name: 'OpenTelemetry off: describe()',
      run(n) {
        for (let i = 0; i < n; i++) consume(ot.describe(user).length);
      },
    },
    {
      name: 'none: add()',
      run(n) {
        for (let i = 0; i < n; i++) consume(plain.add(i, 1));
      },
    },
    {
      name: 'spantrail off: add()',
      run(n) {
        for (let i = 0; i < n; i++) consume(st.add(i, 1));
      },
    },
    {
      name: 'OpenTelemetry off: add()',
      run(n) {
        for (let i = 0; i < n; i++) consume(ot.add(i, 1));
      },
    },
  ];
  let rows;
  try {
    rows = await compare(contenders, settings);
  } finally {
    setTracer(previous);
  }
  const get = (name) => rows.find((r) => r.contender === name);
  for (const r of rows) {
    const base = get(
      r.contender.startsWith('none')
        ? r.contender
        : 'none: ' + r.contender.split(': ')[1],
    );
    r.vsNone = r.opsPerSec / base.opsPerSec;
    r.overheadNs = r.nsPerOp - base.nsPerOp;
  }
  const slower = (r) => {
    const pct = (1 / r.vsNone - 1) * 100;
    const ns = `${r.overheadNs >= 0 ? '+' : ''}${r.overheadNs.toFixed(1)} ns`;
    return pct >= 0
      ? `${pct.toFixed(1)}% slower (${ns})`
      : `${(-pct).toFixed(1)}% faster, within noise (${ns})`;
  };
  const d = get('spantrail off: describe()');
  const a = get('spantrail off: add()');
  return {
    rows,
    columns: [
      { key: 'contender', label: 'contender' },
      { key: 'opsPerSec', label: 'ops/s', fmt: fmtNum },
      { key: 'nsPerOp', label: 'ns/op', fmt: (v) => fmtNum(v) },
      { key: 'overheadNs', label: '+ns vs none', fmt: (v) => v.toFixed(1) },
      {
        key: 'vsNone',
        label: 'vs none',
        fmt: (v) => (v * 100).toFixed(1) + '%',
      },
      { key: 'spreadPct', label: 'spread', fmt: (v) => v.toFixed(0) + '%' },
    ],
    targets: [
      {
        text: 'decorated describe() within 5% of undecorated',
        measured: slower(d),
        met: d.vsNone >= 1 / 1.05,
      },
      {
        text: 'decorated add() within 5% of undecorated (informational: the body is ~1 ns)',
        measured: slower(a),
        met: null,
      },
    ],
    notes: [
      'No tracer set (`getTracer()` is the no-op tracer); OpenTelemetry is ' +
        'the bare API (no SDK, no context manager), where `startActiveSpan` ' +
        'makes a non-recording span. `describe(u)` formats a string from an ' +
        "object's fields (tens of ns, a typical small method); `add(a, b)` " +
        'is `a + b`, so its row shows the fixed cost of the wrapper. ' +
        '"vs none" is throughput as a percentage of the undecorated call.',
    ],
  };
}

export default {
  id: 5,
  name: 'case5-tracing-off',
  title: 'Tracing off: decorated vs undecorated call',
  run,
};
