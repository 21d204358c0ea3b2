// Writes a trace file of N spans with the real Tracer: traces of 10 spans
// (a request and 9 nested or sibling calls), 20 span names, 2% errors.
// node case9-gen.js <file> <spans>
import { Tracer } from '../lib/spantrail.js';

const [file, countArg] = process.argv.slice(2);
const count = Number(countArg);
const names = Array.from(
  { length: 20 },
  (_, i) => `Service${i % 5}.method${i}`,
);
const tracer = new Tracer({ service: 'gen', output: file });

let made = 0;
while (made < count) {
  const root = tracer.startSpan('GET /users/:id', {
    parent: null,
    attributes: { 'http.method': 'GET', 'http.route': '/users/:id' },
  });
  made++;
  const open = [root];
  for (let j = 1; j < 10 && made < count; j++, made++) {
    const span = tracer.startSpan(names[(made * 7) % names.length], {
      parent: open[open.length - 1],
      attributes: { 'db.rows': made % 50, 'cache.hit': made % 3 === 0 },
    });
    if (made % 50 === 7) span.recordException(new Error('boom'));
    // every third call has children of its own
    if (j % 3 === 0) open.push(span);
    else span.end();
  }
  while (open.length > 1) open.pop().end();
  root.end();
  if (made % 10000 < 10) await new Promise((r) => setImmediate(r));
}
await tracer.close();
