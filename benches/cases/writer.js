import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { JsonlOutput, Tracer } from '../lib/spantrail.js';
import { compare } from '../lib/harness.js';
import { addRatios, fmtNum, fmtRatio } from '../lib/report.js';
import { createOtel } from '../lib/otel.js';
import JsonlSpanExporter from '../lib/JsonlSpanExporter.js';

const attributes = {
  'http.method': 'GET',
  'http.route': '/users/:id',
  'http.status_code': 200,
  'user.id': 12345,
  'cache.hit': true,
};

/** Resolves once sonic-boom has handed everything it holds to the kernel. */
function pinoDrained(dest) {
  return new Promise((resolve) => {
    const check = () => {
      // 'write' is emitted before sonic-boom updates its counters
      if (dest._writing || dest._len > 0) {
        dest.once('write', () => process.nextTick(check));
      } else resolve();
    };
    check();
  });
}

function lineOf(file) {
  // the last complete line, from the file's tail (files grow to gigabytes)
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const length = Math.min(size, 65536);
  const buffer = Buffer.alloc(length);
  fs.readSync(fd, buffer, 0, length, size - length);
  fs.closeSync(fd);
  const lines = buffer.toString('utf8').trimEnd().split('\n');
  return lines[lines.length - 1];
}

async function run({ settings, tmpDir }) {
  // one ended span, serialised again for every record
  const tracer = new Tracer({ service: 'bench', emitStart: false });
  const span = tracer.startSpan('GET /users/:id', { attributes });
  span.end();
  const otel = createOtel();
  const otelSpan = otel.tracer.startSpan('GET /users/:id', { attributes });
  otelSpan.end();

  // pino adds level, time, pid and hostname, and OTel span ids are 16 hex
  // characters: pad attributes so every contender writes lines of one length
  const pad = 96;
  span.attributes.pad = 'x'.repeat(pad);
  // the line the output writes for the span: its `span` record
  const written = [];
  const capture = new JsonlOutput((chunk) => written.push(chunk), {
    sync: true,
  });
  capture.onEnd(span);
  const line = written.join('').split('\n').at(-2) + '\n';
  const recordObj = JSON.parse(line);
  const probe = path.join(tmpDir, 'probe.log');
  pino(pino.destination({ dest: probe, sync: true })).info(recordObj);
  const pinoExtra = lineOf(probe).length + 1 - line.length;
  recordObj.attributes.pad = 'x'.repeat(pad - pinoExtra);
  const otelProbe = new JsonlSpanExporter(path.join(tmpDir, 'probe-otel'));
  otelSpan.attributes.pad = span.attributes.pad;
  otelProbe.export([otelSpan], () => {});
  await otelProbe.shutdown();
  const otelShort =
    line.length - lineOf(path.join(tmpDir, 'probe-otel')).length - 1;
  otelSpan.attributes.pad = 'x'.repeat(pad + otelShort);

  const files = {};
  const file = (name) => (files[name] = path.join(tmpDir, `${name}.jsonl`));
  const output = new JsonlOutput(file('spantrail'), { service: 'bench' });
  const outputLines = new JsonlOutput(file('spantrail-lines'), {
    service: 'bench',
  });
  const exporter = new JsonlSpanExporter(file('otel'));
  const dest = pino.destination({ dest: file('pino'), sync: false });
  await new Promise((r) => dest.once('ready', r));
  const logger = pino(dest);

  // the I/O floor: append ready-made lines, one fs.writeSync per 64 KiB
  const noneFd = fs.openSync(file('none'), 'a');
  let noneBuffer = '';
  const ok = () => {};
  const spans = [otelSpan];

  const contenders = [
    {
      name: 'none',
      async: true,
      async run(n) {
        for (let i = 0; i < n; i++) {
          noneBuffer += line;
          if (noneBuffer.length >= 65536) {
            fs.writeSync(noneFd, noneBuffer);
            noneBuffer = '';
          }
        }
        fs.writeSync(noneFd, noneBuffer);
        noneBuffer = '';
      },
    },
    {
      name: 'spantrail',
      async: true,
      async run(n) {
        for (let i = 0; i < n; i++) output.onEnd(span);
        await output.flush();
      },
    },
    {
      name: 'spantrail, pre-built lines',
      async: true,
      async run(n) {
        for (let i = 0; i < n; i++) outputLines.write(line);
        await outputLines.flush();
      },
    },
    {
      name: 'OpenTelemetry',
      async: true,
      async run(n) {
        for (let i = 0; i < n; i++) exporter.export(spans, ok);
        await exporter.forceFlush();
      },
    },
    {
      name: 'pino',
      async: true,
      async run(n) {
        for (let i = 0; i < n; i++) logger.info(recordObj);
        await pinoDrained(dest);
      },
    },
  ];
  const rows = addRatios(await compare(contenders, settings));
  await output.close();
  await outputLines.close();
  await exporter.shutdown();
  await pinoDrained(dest);
  dest.end();
  fs.closeSync(noneFd);
  await otel.close();
  await tracer.close();

  const sizes = {
    none: line.length,
    spantrail: lineOf(files.spantrail).length + 1,
    'spantrail, pre-built lines': lineOf(files['spantrail-lines']).length + 1,
    OpenTelemetry: lineOf(files.otel).length + 1,
    pino: lineOf(files.pino).length + 1,
  };
  for (const r of rows) {
    r.bytes = sizes[r.contender];
    r.mbPerSec = (r.opsPerSec * r.bytes) / 1e6;
  }
  const pinoRow = rows.find((r) => r.contender === 'pino');
  for (const r of rows) r.vsPino = r.opsPerSec / pinoRow.opsPerSec;
  const st = rows.find((r) => r.contender === 'spantrail');
  const prebuilt = rows.find(
    (r) => r.contender === 'spantrail, pre-built lines',
  );
  const floor = rows.find((r) => r.contender === 'none');
  const ofFloor = prebuilt.mbPerSec / floor.mbPerSec;
  return {
    rows,
    columns: [
      { key: 'contender', label: 'writer' },
      { key: 'opsPerSec', label: 'records/s', fmt: fmtNum },
      { key: 'nsPerOp', label: 'ns/record', fmt: (v) => fmtNum(v) },
      { key: 'bytes', label: 'bytes/record' },
      { key: 'mbPerSec', label: 'MB/s', fmt: (v) => v.toFixed(0) },
      { key: 'vsPino', label: 'vs pino', fmt: fmtRatio },
      { key: 'vsOtel', label: 'vs OTel', fmt: fmtRatio },
      { key: 'spreadPct', label: 'spread', fmt: (v) => v.toFixed(0) + '%' },
    ],
    targets: [
      {
        text: "the output's bytes/s at least 90% of the bare fs.writeSync floor's (pre-built lines, same run)",
        measured: `${(ofFloor * 100).toFixed(0)}% (${prebuilt.mbPerSec.toFixed(0)} vs ${floor.mbPerSec.toFixed(0)} MB/s)`,
        met: ofFloor >= 0.9,
      },
      {
        text: 'at least 2,000,000 records/s',
        measured: `${fmtNum(st.opsPerSec)} records/s, ${st.mbPerSec.toFixed(0)} MB/s`,
        met: st.opsPerSec >= 2e6,
      },
      {
        text: 'ahead of pino',
        measured: `${fmtRatio(st.vsPino)} pino's records/s`,
        met: st.vsPino > 1,
      },
    ],
    notes: [
      'Every writer appends lines of the same length to its own file in ' +
        'the same temp folder, and each sample ends when everything is in ' +
        "the kernel: spantrail's `JsonlOutput` (default batching: one " +
        '`fs.writeSync` per 64 KiB) serialising an ended span for each ' +
        'record (`onEnd`), or handed pre-built lines (`write`); the OTel ' +
        "exporter's `export([span])`; `pino.info(object)` to " +
        '`pino.destination({ sync: false })` (sonic-boom, asynchronous ' +
        'writes), waited for until it holds nothing; `none` appends a ' +
        'pre-built line to a string and writes every 64 KiB, the floor.',
    ],
  };
}

export default {
  id: 6,
  name: 'case6-writer',
  title: 'The writer alone: JSONL to a file vs pino',
  run,
};
