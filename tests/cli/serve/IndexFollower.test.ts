import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import IndexFollower from '../../../src/cli/serve/IndexFollower.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-index-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hex32 = (n: number): string => n.toString(16).padStart(32, '0');

function meta(pid: number): string {
  return (
    JSON.stringify({
      type: 'meta',
      version: 1,
      service: 's',
      pid,
      runtime: 'node',
      startTime: 1,
      spantrail: '0',
    }) + '\n'
  );
}

function span(n: number): string {
  return (
    JSON.stringify({
      type: 'span',
      traceId: hex32(n),
      spanId: hex32(n),
      name: `s${n}`,
      kind: 0,
      startTime: 1000 + n,
      duration: 1000,
      status: { code: 0 },
      attributes: {},
      events: [],
      links: [],
    }) + '\n'
  );
}

describe('IndexFollower notices a rewrite by its first line', () => {
  test('a truncation followed by a longer rewrite between two polls', async () => {
    const file = path.join(dir, 'trace.jsonl');
    fs.writeFileSync(file, meta(1) + span(1) + span(2));
    let resets = 0;
    const follower = new IndexFollower([file], { onReset: () => resets++ });
    await follower.poll();
    expect(follower.index.traceCount).toBe(2);
    // the same inode, larger than what was read: only the first line tells
    fs.writeFileSync(file, meta(2) + span(3) + span(4) + span(5));
    await follower.poll();
    expect(resets).toBe(1);
    const ids = follower.index.traceList({ limit: 10 }).traces.map((t) => t.id);
    expect(ids.sort()).toEqual([hex32(3), hex32(4), hex32(5)]);
    // plain growth is no rewrite
    fs.appendFileSync(file, span(6));
    await follower.poll();
    expect(resets).toBe(1);
    expect(follower.index.traceCount).toBe(4);
    await follower.stop();
  });
});
