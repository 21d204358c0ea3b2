import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { clean } from '../../src/cli/util.js';
import { assertBuilt, runCli } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-bidi-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const bidi = [
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];

describe('terminal output escapes controls', () => {
  test('bidirectional controls are shown as escapes', () => {
    for (const c of bidi) {
      const shown = clean(`a${c}b`);
      expect(shown).toBe(
        `a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b`,
      );
    }
    expect(clean('plain é 名前 ✓')).toBe('plain é 名前 ✓');
  });

  test('spantrail view prints no raw U+202E from a span name', async () => {
    assertBuilt();
    const file = path.join(dir, 'bidi.jsonl');
    const id = '1'.repeat(32);
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'span',
        traceId: id,
        spanId: id,
        name: 'transfer\u202Egnp.exe',
        kind: 0,
        startTime: 1_700_000_000_000_000,
        duration: 1000,
        status: { code: 0 },
        attributes: { note: 'x\u2066y' },
        events: [],
        links: [],
      }) + '\n',
    );
    const r = await runCli(['view', file], { env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('transfer\\u202egnp.exe');
    for (const c of bidi) expect(r.stdout).not.toContain(c);
  });
});
