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

describe('IndexFollower keeps a rotated file open, like tail -F', () => {
  const names = (f: IndexFollower): Array<string> =>
    f.index
      .traceList({ limit: 100 })
      .traces.map((t) => t.root)
      .sort();

  test('spans of the rotated-away file stay, and their lines are read through it', async () => {
    const file = path.join(dir, 'rotated.jsonl');
    fs.writeFileSync(file, meta(1) + span(1) + span(2));
    let resets = 0;
    const follower = new IndexFollower([file], { onReset: () => resets++ });
    await follower.poll();
    expect(names(follower)).toEqual(['s1', 's2']);
    // logrotate: renamed away (its writer appends a last span), a new file
    fs.renameSync(file, file + '.1');
    fs.appendFileSync(file + '.1', span(3));
    fs.writeFileSync(file, meta(1) + span(4));
    await follower.poll();
    expect(resets).toBe(0);
    expect(names(follower)).toEqual(['s1', 's2', 's3', 's4']);
    // The old file is gone from disk; its lines are still read.
    fs.rmSync(file + '.1');
    for (const n of [2, 3, 4]) {
      const loc = follower.index.locate(hex32(n), hex32(n))!;
      const key = follower.index.files[loc.fileIndex];
      expect(loc.file).toBe(file);
      const bytes = await follower.readAt(key, loc.offset, loc.length);
      expect(bytes?.toString()).toBe(span(n).trimEnd());
    }
    // The new file is followed as it grows.
    fs.appendFileSync(file, span(5));
    await follower.poll();
    expect(names(follower)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    // A truncation in place of the new file drops its data only.
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, meta(1) + span(6));
    await follower.poll();
    expect(resets).toBe(1);
    expect(names(follower)).toEqual(['s1', 's2', 's3', 's6']);
    await follower.stop();
    const loc = follower.index.locate(hex32(2), hex32(2))!;
    expect(
      await follower.readAt(
        follower.index.files[loc.fileIndex],
        loc.offset,
        loc.length,
      ),
    ).toBeUndefined();
  });

  test('a span whose start is in the rotated file and end in the new one', async () => {
    const file = path.join(dir, 'split.jsonl');
    const start = span(7)
      .replace('"type":"span"', '"type":"start"')
      .replace(/,"duration".*$/, ',"attributes":{}}\n');
    fs.writeFileSync(file, meta(1) + start);
    const follower = new IndexFollower([file]);
    await follower.poll();
    expect(follower.index.openSpans().total).toBe(1);
    fs.renameSync(file, file + '.1');
    fs.writeFileSync(file, meta(1) + span(7));
    await follower.poll();
    expect(follower.index.openSpans().total).toBe(0);
    const loc = follower.index.locate(hex32(7), hex32(7))!;
    const bytes = await follower.readAt(
      follower.index.files[loc.fileIndex],
      loc.offset,
      loc.length,
    );
    expect(bytes?.toString()).toBe(span(7).trimEnd());
    await follower.stop();
  });
});
