import { beforeAll, describe, expect, test } from '@jest/globals';
import { assertBuilt, golden, runCli } from './helpers.js';

beforeAll(assertBuilt);

// Relative paths (the fixtures directory is the cwd) keep outputs stable.
const cases: Array<[string, Array<string>]> = [
  ['view-basic-tree.txt', ['view', 'basic.jsonl']],
  ['view-basic-time.txt', ['view', '--mode', 'time', 'basic.jsonl']],
  [
    'view-merged-tree.txt',
    ['view', 'merged-client.jsonl', 'merged-server.jsonl'],
  ],
  [
    'view-merged-time.txt',
    ['view', '--mode', 'time', 'merged-client.jsonl', 'merged-server.jsonl'],
  ],
  ['view-legacy-tree.txt', ['view', 'legacy.jsonl']],
  ['view-legacy-time.txt', ['view', '--mode=time', 'legacy.jsonl']],
  [
    'view-trace-prefix.txt',
    ['view', '--trace', '069206250014700099', 'basic.jsonl'],
  ],
  ['stats-basic.txt', ['stats', 'basic.jsonl']],
  ['stats-merged.txt', ['stats', 'merged-client.jsonl', 'merged-server.jsonl']],
  ['stats-legacy.txt', ['stats', 'legacy.jsonl']],
];

describe('golden outputs', () => {
  test.each(cases)('%s', async (name, args) => {
    const r = await runCli([
      ...args,
      '--no-color',
      ...(args[0] === 'view' ? ['--width', '100'] : []),
    ]);
    expect(r.code).toBe(0);
    // stderr (skipped-line reports) is part of the golden output.
    const out =
      r.stdout + (r.stderr !== '' ? `--- stderr ---\n${r.stderr}` : '');
    expect(out).toBe(golden(name, out));
    // Nothing wider than the requested width in time mode.
    if (args.includes('time') || args.includes('--mode=time')) {
      for (const line of r.stdout.split('\n')) {
        expect([...line].length).toBeLessThanOrEqual(100);
      }
    }
  });

  test('colour: ANSI only when asked or on a terminal, NO_COLOR wins', async () => {
    const plain = await runCli(['view', 'basic.jsonl']);
    expect(plain.stdout).not.toContain('\x1b[');
    const forced = await runCli(['view', '--color', 'basic.jsonl']);
    expect(forced.stdout).toContain('\x1b[31mUNFINISHED');
    const noColor = await runCli(['stats', 'basic.jsonl'], {
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toContain('\x1b[');
  });

  test('reads stdin when no file is given', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { fixtures } = await import('./helpers.js');
    const input = fs.readFileSync(path.join(fixtures, 'legacy.jsonl'), 'utf8');
    const r = await runCli(['view', '--no-color'], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('db.connect');
  });
});
