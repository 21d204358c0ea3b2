// Child of case 10: a loopback HTTP server and client in one process,
// with or without spantrail's HTTP and fetch instrumentation.
// node http-child.js <off|tracer|on> <count> <file>
// off: no spantrail; tracer: a tracer set up (AsyncLocalStorage live) but
// HTTP not instrumented; on: instrumentHttp and instrumentFetch as well.
/* global fetch */
import http from 'node:http';
import { spantrail } from '../lib/spantrail.js';

const [mode, countArg, file] = process.argv.slice(2);
const count = Number(countArg);
const warmup = Math.min(200, count);

let tracer;
if (mode !== 'off') {
  tracer = new spantrail.Tracer({ service: 'bench', output: file });
  spantrail.setTracer(tracer);
  // the context manager is built on first use; use it as a service would
  tracer.startActiveSpan('setup', () => undefined);
}
if (mode === 'on') {
  spantrail.instrumentHttp(tracer);
  spantrail.instrumentFetch(tracer);
}

const server = http.createServer((req, res) => res.end('ok'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function viaHttp() {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/users/1?x=2', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
}

async function viaFetch() {
  const res = await fetch(`http://127.0.0.1:${port}/users/1?x=2`);
  await res.text();
}

async function time(call) {
  for (let i = 0; i < warmup; i++) await call();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await call();
  return ((performance.now() - t0) * 1000) / count;
}

const httpUs = await time(viaHttp);
const fetchUs = await time(viaFetch);
agent.destroy();
server.close();
if (tracer != null) await tracer.close();
process.stdout.write(JSON.stringify({ httpUs, fetchUs }) + '\n');
