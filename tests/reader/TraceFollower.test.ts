import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { TraceFollower, createIssues } from '../../src/reader/index.js';
import { hex32, spanLine } from './utils.js';

describe('TraceFollower', () => {
  test('reset() makes the next poll read the file again from the start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-reader-'));
    try {
      const file = path.join(dir, 'f.jsonl');
      const line = (n: number): string =>
        spanLine({ traceId: hex32(n), spanId: hex32(n), name: `s${n}` }) + '\n';
      fs.writeFileSync(file, line(1) + line(2));
      const names: Array<string> = [];
      let resets = 0;
      const follower = new TraceFollower(
        file,
        { record: (r) => names.push((r as any).name) },
        createIssues(),
        { onReset: () => resets++ },
      );
      expect(await follower.poll()).toBe(true);
      expect(await follower.poll()).toBe(false);
      follower.reset();
      fs.appendFileSync(file, line(3));
      expect(await follower.poll()).toBe(true);
      expect(names).toEqual(['s1', 's2', 's1', 's2', 's3']);
      expect(follower.records).toBe(3);
      // reset() is the caller's doing: no onReset for it
      expect(resets).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
