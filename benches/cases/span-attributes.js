import { Tracer } from '../lib/spantrail.js';
import { compare, consume } from '../lib/harness.js';
import { addRatios, fmtRatio } from '../lib/report.js';
import { createOtel } from '../lib/otel.js';

// the same 10 attributes, built afresh per span as a caller would
function attrs(i) {
  return {
    'http.method': 'GET',
    'http.route': '/users/:id',
    'http.status_code': 200,
    'user.id': i,
    'db.system': 'postgresql',
    'db.rows': 3,
    'cache.hit': true,
    'retry.count': 0,
    'cloud.region': 'eu-west-1',
    'request.size': 512,
  };
}

function blackhole(a) {
  return a['user.id'];
}

async function run({ settings }) {
  const tracer = new Tracer({ service: 'bench' });
  const otel = createOtel();
  const contenders = [
    {
      name: 'none',
      run(n) {
        for (let i = 0; i < n; i++) consume(blackhole(attrs(i)));
      },
    },
    {
      name: 'spantrail',
      run(n) {
        for (let i = 0; i < n; i++) {
          tracer.startSpan('op', { attributes: attrs(i) }).end();
        }
      },
    },
    {
      name: 'OpenTelemetry',
      run(n) {
        for (let i = 0; i < n; i++) {
          otel.tracer.startSpan('op', { attributes: attrs(i) }).end();
        }
      },
    },
  ];
  const rows = addRatios(await compare(contenders, settings));
  await otel.close();
  await tracer.close();
  const st = rows.find((r) => r.contender === 'spantrail');
  return {
    rows,
    targets: [
      {
        text: 'none set (informational)',
        measured: `spantrail ${fmtRatio(st.vsOtel)} OTel throughput`,
        met: null,
      },
    ],
    notes: [
      '`none` builds the same attribute object and hands it to a function; ' +
        'neither tracer has an output (OTel: `BasicTracerProvider` without ' +
        'span processors), so this is the cost of making, filling and ' +
        'ending a span.',
    ],
  };
}

export default {
  id: 1,
  name: 'case1-span-attributes',
  title: 'Start and end a span with 10 attributes, no output',
  run,
};
