import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { scanFiles } from '../../../src/cli/serve/ViewerServer.js';

describe('scanFiles (the byte search behind serve search)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-scan-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an ASCII needle matches whatever its case; offsets are byte offsets', async () => {
    const file = path.join(dir, 'a.jsonl');
    const text =
      '{"user":"Alice-7"}\n{"name":"café ALICE-7"}\n{"x":"alicE-7"}\n';
    fs.writeFileSync(file, text);
    const bytes = Buffer.from(text);
    const [hits] = await scanFiles([file], Buffer.from('alice-7'));
    expect(hits).toHaveLength(3);
    for (const at of hits) {
      expect(
        bytes
          .subarray(at, at + 7)
          .toString()
          .toLowerCase(),
      ).toBe('alice-7');
    }
    // the multi-byte é before the second hit counts as two bytes
    expect(hits[1]).toBe(bytes.indexOf('ALICE-7'));
  });

  test('a needle with other characters matches its exact bytes', async () => {
    const file = path.join(dir, 'b.jsonl');
    fs.writeFileSync(file, '{"a":"Café"}\n{"a":"CAFÉ"}\n{"a":"café"}\n');
    const [hits] = await scanFiles([file], Buffer.from('café'));
    expect(hits).toHaveLength(1);
  });

  test('a missing file gives no hits; other files are still searched', async () => {
    const file = path.join(dir, 'c.jsonl');
    fs.writeFileSync(file, '{"a":"Needle"}\n');
    const hits = await scanFiles(
      [path.join(dir, 'none'), file],
      Buffer.from('needle'),
    );
    expect(hits).toEqual([[], [6]]);
  });
});

describe('scanFiles on a file held open', () => {
  test('searches a rotated-away (deleted) file through its handle, and leaves it open', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-scan-'));
    const file = path.join(dir, 'old.jsonl');
    fs.writeFileSync(file, '{"a":"x"}\n{"a":"Needle"}\n');
    const handle = await fs.promises.open(file, 'r');
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      const [hits] = await scanFiles([handle], Buffer.from('needle'));
      expect(hits).toEqual([16]);
      // still open: a second search reads it again
      expect(await scanFiles([handle], Buffer.from('x'))).toEqual([[6]]);
    } finally {
      await handle.close();
    }
  });
});
