// Child of case 7: streams N spans to a file and reports heap growth.
// Run with --expose-gc: node memory-child.js <contender> <count> <file>
import { Tracer } from '../lib/spantrail.js';
import { createOtel } from '../lib/otel.js';

const [contender, countArg, file] = process.argv.slice(2);
const count = Number(countArg);
const yieldEvery = 1000;

function attrs(i) {
  return { 'http.route': '/users/:id', 'user.id': i, 'cache.hit': true };
}

async function main() {
  let tracer;
  let otel;
  let start;
  let close = async () => {};
  if (contender === 'spantrail') {
    tracer = new Tracer({ service: 'bench', output: file });
    start = (i) => tracer.startSpan('op', { attributes: attrs(i) });
    close = () => tracer.close();
  } else if (contender.startsWith('OpenTelemetry')) {
    // the batch processor with its production defaults (queue 2048): the
    // loop yields every 1,000 spans, as a service does, so it can export
    otel = createOtel(
      file,
      contender === 'OpenTelemetry, BatchSpanProcessor' ? {} : undefined,
    );
    start = (i) => otel.tracer.startSpan('op', { attributes: attrs(i) });
    close = () => otel.close();
  } else {
    const noop = { end() {} };
    let last;
    start = (i) => {
      last = attrs(i);
      return noop;
    };
    close = async () => void last;
  }
  // warm up the code paths (and any lazily built state) before the baseline
  for (let i = 0; i < 1000; i++) start(i).end();
  await new Promise((r) => setImmediate(r));
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    start(i).end();
    if (i % yieldEvery === yieldEvery - 1) {
      // a service yields to the event loop; so do we
      await new Promise((r) => setImmediate(r));
      if (i % 50000 === 49999) {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (tracer != null) await tracer.flush();
  if (otel != null) await otel.provider.forceFlush();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;
  await close();
  process.stdout.write(
    JSON.stringify({
      contender,
      count,
      heapBefore: before,
      heapAfter: after,
      growth: after - before,
      peakGrowth: peak - before,
      rss,
      seconds,
    }) + '\n',
  );
}

await main();
