import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import { traceLogFormatter, Tracer } from '../../src/index.js';
import { runNode, root } from '../utils/exec.js';
import { fcParams } from '../utils/fc.js';
import { checkCorrelation, scenario } from './correlation.js';

describe('@matrixai/logger: traceLogFormatter', () => {
  test('JSON records carry the active traceId and spanId', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-jslogger-'));
    const traceFile = path.join(dir, 'trace.jsonl');
    try {
      const r = await runNode(
        `import { Tracer, setTracer, traceLogFormatter } from 'SPANTRAIL';
import { createRequire } from 'node:module';
const loggerModule = createRequire(process.env.ROOT + '/package.json')('@matrixai/logger');
const { default: Logger, LogLevel, StreamHandler, formatting } = loggerModule;
const logger = new Logger('app', LogLevel.INFO, [
  new StreamHandler(traceLogFormatter(formatting.jsonFormatter)),
]);
const text = new Logger('text', LogLevel.INFO, [
  new StreamHandler(
    traceLogFormatter(formatting.format\`\${formatting.level}:\${formatting.msg} \${formatting.data}\`),
  ),
]);
const log = (msg) => { logger.info(msg); text.info(msg); };
${scenario}`,
        { env: { TRACE_FILE: traceFile, ROOT: root } },
      );
      expect(r.code).toBe(0);
      const all = r.stderr.trim().split('\n');
      const json = all
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      expect(json).toHaveLength(4);
      checkCorrelation(traceFile, json);
      // a text template shows the ids where it puts the data
      const textLines = all.filter((l) => l.startsWith('INFO:'));
      expect(textLines).toHaveLength(4);
      const inRequest = json.find((l) => l.msg === 'in request')!;
      expect(textLines.find((l) => l.startsWith('INFO:in request'))).toContain(
        inRequest.spanId,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('total: any record, inside a span or not, reaches the formatter', () => {
    const tracer = new Tracer();
    const seen: Array<unknown> = [];
    const format = traceLogFormatter((record: any) => {
      seen.push(record);
      return 'ok';
    }, tracer);
    fc.assert(
      fc.property(fc.anything(), fc.boolean(), (record, inSpan) => {
        const out = inSpan
          ? tracer.startActiveSpan('s', () => format(record as any))
          : format(record as any);
        expect(out).toBe('ok');
      }),
      fcParams(),
    );
    expect(() => traceLogFormatter(3 as any)).toThrow(TypeError);
  });
});
