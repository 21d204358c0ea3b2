// Writes trace files in the tracer's own line layout, fast, for the reader
// benchmarks and tests: many small traces, optionally one big trace and a
// deep parent chain. node genTraces.js <file> <spans> [--big N] [--deep N]
import fs from 'node:fs';

const hex = (n, len) => n.toString(16).padStart(len, '0');
const names = Array.from(
  { length: 40 },
  (_, i) => `Service${i % 7}.method${i}`,
);

/**
 * Yields lines: `start` and `span` records of traces of `perTrace` spans
 * (a root and nested calls), then a big trace and a deep chain if asked.
 */
function* lines({ spans, perTrace = 10, big = 0, deep = 0, t0 = 1.79e15 }) {
  yield JSON.stringify({
    type: 'meta',
    version: 1,
    service: 'gen',
    pid: 4242,
    runtime: 'node',
    startTime: t0,
    spantrail: '0.1.0',
  });
  let id = 1;
  let trace = 1;
  let t = t0;
  const span = (traceId, spanId, parentId, name, start, dur, attrs, err) => {
    const head = `"traceId":"${traceId}","spanId":"${spanId}"${parentId ? `,"parentId":"${parentId}"` : ''},"name":${JSON.stringify(name)},"kind":0,"startTime":${start}`;
    const status = err ? '{"code":2,"message":"boom"}' : '{"code":0}';
    return [
      `{"type":"start",${head},"attributes":${JSON.stringify(attrs)}}`,
      `{"type":"span",${head},"duration":${dur},"status":${status},"attributes":${JSON.stringify(attrs)},"events":[],"links":[]}`,
    ];
  };
  const tree = function* (count) {
    const traceId = hex(trace++, 32);
    const rootId = hex(id++, 32);
    const ends = [];
    const start = t;
    const stack = [rootId];
    for (let j = 1; j < count; j++) {
      const sid = hex(id++, 32);
      const parent = stack[Math.min(stack.length - 1, j % 3)];
      const s = start + j * 3;
      const [a, b] = span(
        traceId,
        sid,
        parent,
        names[(id * 7) % names.length],
        s,
        2000 + (id % 97) * 100,
        { 'db.rows': id % 50, 'user.id': `u${id % 1000}` },
        id % 50 === 7,
      );
      yield a;
      ends.push(b);
      if (j % 5 === 0) stack.push(sid);
    }
    yield* ends;
    const [a, b] = span(
      traceId,
      rootId,
      null,
      'GET /users/:id',
      start,
      count * 3000 + 5000,
      { 'http.route': '/users/:id' },
      false,
    );
    yield a;
    yield b;
    t += count * 3 + 50;
  };
  let made = 0;
  if (big > 0) {
    yield* tree(big);
    made += big;
  }
  if (deep > 0) {
    const traceId = hex(trace++, 32);
    let parent = null;
    const ends = [];
    for (let j = 0; j < deep; j++) {
      const sid = hex(id++, 32);
      const [a, b] = span(
        traceId,
        sid,
        parent,
        names[j % names.length],
        t + j,
        (deep - j) * 1000,
        {},
        false,
      );
      yield a;
      ends.push(b);
      parent = sid;
    }
    for (let j = ends.length - 1; j >= 0; j--) yield ends[j];
    t += deep + 10;
    made += deep;
  }
  while (made < spans) {
    const n = Math.min(perTrace, spans - made);
    yield* tree(n);
    made += n;
  }
}

/** Writes the lines to `file` in big chunks. */
function writeTraces(file, options) {
  const fd = fs.openSync(file, 'w');
  let buf = [];
  let size = 0;
  for (const line of lines(options)) {
    buf.push(line);
    size += line.length;
    if (size > 4 << 20) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
      size = 0;
    }
  }
  if (buf.length > 0) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

export { writeTraces, lines };

if (
  process.argv[1] != null &&
  import.meta.url.endsWith(process.argv[1].split('/').pop())
) {
  const [file, spans, ...rest] = process.argv.slice(2);
  const opt = (name) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : 0;
  };
  writeTraces(file, {
    spans: Number(spans),
    big: opt('--big'),
    deep: opt('--deep'),
  });
}
