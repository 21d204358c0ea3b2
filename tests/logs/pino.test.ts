import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, expect } from '@jest/globals';
import { runNode, root } from '../utils/exec.js';
import { checkCorrelation, scenario } from './correlation.js';

describe('pino: pinoTraceMixin', () => {
  test('log lines carry the active traceId and spanId', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-pino-'));
    const traceFile = path.join(dir, 'trace.jsonl');
    try {
      const r = await runNode(
        `import { Tracer, setTracer, pinoTraceMixin } from 'SPANTRAIL';
import { createRequire } from 'node:module';
const pino = createRequire(process.env.ROOT + '/package.json')('pino');
const logger = pino({ mixin: pinoTraceMixin() }, pino.destination({ dest: 1, sync: true }));
const log = (msg) => logger.info(msg);
${scenario}`,
        { env: { TRACE_FILE: traceFile, ROOT: root } },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(4);
      checkCorrelation(traceFile, lines);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
