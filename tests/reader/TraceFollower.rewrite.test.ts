import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import {
  TraceFollower,
  TraceModel,
  createIssues,
} from '../../src/reader/index.js';
import { hex32, spanLine } from './utils.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-rewrite-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = (n: number, trace: number = n): string =>
  spanLine({ traceId: hex32(trace), spanId: hex32(n), name: `s${n}` }) + '\n';

function follow(file: string) {
  const names: Array<string> = [];
  let resets = 0;
  const follower = new TraceFollower(
    file,
    { record: (r) => names.push((r as any).name) },
    createIssues(),
    {
      onReset: () => {
        resets++;
        names.length = 0;
      },
    },
  );
  return { follower, names, resets: () => resets };
}

describe('TraceFollower notices a rewrite by identity', () => {
  test('a truncation followed by a longer rewrite between two polls', async () => {
    const file = path.join(dir, 'rewrite.jsonl');
    fs.writeFileSync(file, line(1) + line(2));
    const { follower, names, resets } = follow(file);
    await follower.poll();
    expect(names).toEqual(['s1', 's2']);
    // same inode, now longer than what was read: size alone cannot tell
    fs.writeFileSync(file, line(3) + line(4) + line(5));
    await follower.poll();
    expect(resets()).toBe(1);
    expect(names).toEqual(['s3', 's4', 's5']);
  });

  test('a file replaced by another (new inode) of the same first line', async () => {
    const file = path.join(dir, 'replaced.jsonl');
    fs.writeFileSync(file, line(1));
    const { follower, names, resets } = follow(file);
    await follower.poll();
    const other = path.join(dir, 'other.jsonl');
    fs.writeFileSync(other, line(1) + line(6) + line(7));
    fs.renameSync(other, file);
    await follower.poll();
    expect(resets()).toBe(1);
    expect(names).toEqual(['s1', 's6', 's7']);
  });

  test('growth alone, and a first line completed across polls, are no rewrite', async () => {
    const file = path.join(dir, 'growing.jsonl');
    const first = line(1);
    fs.writeFileSync(file, first.slice(0, 10));
    const { follower, names, resets } = follow(file);
    await follower.poll();
    fs.appendFileSync(file, first.slice(10) + line(2));
    await follower.poll();
    fs.appendFileSync(file, line(3));
    await follower.poll();
    expect(resets()).toBe(0);
    expect(names).toEqual(['s1', 's2', 's3']);
  });
});

describe('TraceModel keys span ids by trace', () => {
  test('a span id reused in a second trace is a second span', () => {
    const model = new TraceModel();
    const source = { file: 'f' };
    const parse = (l: string) => JSON.parse(l);
    model.record(parse(line(1, 10)), source as any);
    model.record(parse(line(1, 20)), source as any);
    expect(model.traceSpans(hex32(10)).map((s) => s.traceId)).toEqual([
      hex32(10),
    ]);
    expect(model.traceSpans(hex32(20)).map((s) => s.traceId)).toEqual([
      hex32(20),
    ]);
    expect(model.spans.size).toBe(2);
    expect(model.getSpan(hex32(10), hex32(1))?.traceId).toBe(hex32(10));
    expect(model.getSpan(hex32(20), hex32(1))?.traceId).toBe(hex32(20));
  });
});
