import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { forwardsSignal } from '../../src/cli/commands/run.js';
import { assertBuilt, root, runCli } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-cmd-'));

beforeAll(assertBuilt);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('help and errors', () => {
  test('--help for the top level and every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: spantrail <command>/);
    for (const cmd of ['view', 'stats', 'convert', 'html', 'run']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: spantrail ${cmd}`));
      expect(r.stdout).toContain('Examples:');
    }
    const none = await runCli([]);
    expect(none.code).toBe(2);
    const v = await runCli(['--version']);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('clear errors with non-zero exits', async () => {
    const unknownCmd = await runCli(['frobnicate']);
    expect(unknownCmd.code).toBe(2);
    expect(unknownCmd.stderr).toMatch(/unknown command 'frobnicate'/);
    const unknownOpt = await runCli(['view', '--bogus', 'basic.jsonl']);
    expect(unknownOpt.code).toBe(2);
    expect(unknownOpt.stderr).toMatch(/--bogus/);
    const missing = await runCli(['stats', 'missing.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('spantrail: no such file: missing.jsonl\n');
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    const e = await runCli(['view', empty]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/is empty/);
    const junk = path.join(dir, 'junk.jsonl');
    fs.writeFileSync(junk, 'not json\n{"type":"span"}\n');
    const j = await runCli(['stats', junk]);
    expect(j.code).toBe(1);
    expect(j.stderr).toMatch(/not a spantrail trace/);
    const badMode = await runCli(['view', '--mode', 'flame', 'basic.jsonl']);
    expect(badMode.code).toBe(2);
    const badTrace = await runCli(['view', '--trace', 'ffff', 'basic.jsonl']);
    expect(badTrace.code).toBe(1);
    expect(badTrace.stderr).toMatch(/no trace with id or prefix 'ffff'/);
    const ambiguous = await runCli(['view', '--trace', '0692', 'basic.jsonl']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/ambiguous/);
  });
});

describe('run', () => {
  test('on a terminal, forwards only SIGTERM (the child has the rest)', () => {
    for (const s of ['SIGINT', 'SIGQUIT', 'SIGHUP'] as const) {
      expect(forwardsSignal(s, true)).toBe(false);
      // A supervisor that signals only us: the child would not know.
      expect(forwardsSignal(s, false)).toBe(true);
    }
    expect(forwardsSignal('SIGTERM', true)).toBe(true);
    expect(forwardsSignal('SIGTERM', false)).toBe(true);
  });

  // dist/register.js (spantrail/register) belongs to another part of the
  // project; SPANTRAIL_REGISTER points run at a stand-in preload so these
  // tests check the plumbing: NODE_OPTIONS, SPANTRAIL_OUTPUT, exit codes.
  const stub = path.join(dir, 'register-stub.mjs');
  const child = path.join(dir, 'child.mjs');

  beforeAll(() => {
    fs.writeFileSync(stub, 'globalThis.__spantrailStub = true;\n');
    fs.writeFileSync(
      child,
      [
        'console.log(JSON.stringify({',
        '  output: process.env.SPANTRAIL_OUTPUT,',
        '  nodeOptions: process.env.NODE_OPTIONS,',
        '  preloaded: globalThis.__spantrailStub === true,',
        '  args: process.argv.slice(2),',
        '}));',
        'process.exitCode = Number(process.argv[2] ?? 0);',
      ].join('\n'),
    );
  });

  test('sets NODE_OPTIONS --import and SPANTRAIL_OUTPUT; forwards exit code', async () => {
    const r = await runCli(
      [
        'run',
        '--trace-output',
        'out.jsonl',
        '--',
        process.execPath,
        child,
        '7',
        '--flag',
      ],
      { env: { SPANTRAIL_REGISTER: stub, NODE_OPTIONS: '--no-warnings' } },
    );
    expect(r.code).toBe(7);
    const seen = JSON.parse(r.stdout);
    expect(seen.output).toBe('out.jsonl');
    expect(seen.preloaded).toBe(true);
    expect(seen.args).toEqual(['7', '--flag']);
    expect(seen.nodeOptions).toBe(
      `--no-warnings --import=${new URL(`file://${stub}`).href}`,
    );
  });

  test('a .mjs command runs with this Node; default output trace.jsonl', async () => {
    const r = await runCli(['run', child, '0'], {
      env: { SPANTRAIL_REGISTER: stub },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      output: 'trace.jsonl',
      preloaded: true,
    });
  });

  test('signals: a child killed by a signal is reported as such', async () => {
    const killer = path.join(dir, 'killer.mjs');
    fs.writeFileSync(
      killer,
      "process.kill(process.pid, 'SIGTERM');\nsetTimeout(() => {}, 5000);\n",
    );
    const r = await runCli(['run', '--', process.execPath, killer], {
      env: { SPANTRAIL_REGISTER: stub },
    });
    expect(r.code).toBeNull();
  });

  const realRegister = path.join(root, 'dist/register.js');
  (fs.existsSync(realRegister) ? test : test.skip)(
    'with the real spantrail/register the program writes a trace',
    async () => {
      const out = path.join(dir, 'real.jsonl');
      const r = await runCli([
        'run',
        '-o',
        out,
        '--',
        process.execPath,
        child,
        '0',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!).output).toBe(out);
      const first = JSON.parse(fs.readFileSync(out, 'utf8').split('\n')[0]);
      expect(first).toMatchObject({
        type: 'meta',
        version: 1,
        runtime: 'node',
      });
      const view = await runCli(['view', out]);
      expect(view.code).toBe(0);
    },
  );

  test('errors: no command, command not found, missing preload', async () => {
    const none = await runCli(['run'], { env: { SPANTRAIL_REGISTER: stub } });
    expect(none.code).toBe(2);
    const notFound = await runCli(['run', '--', 'no-such-command-xyz'], {
      env: { SPANTRAIL_REGISTER: stub },
    });
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toMatch(/command not found/);
    const noPreload = await runCli(['run', '--', process.execPath, child], {
      env: { SPANTRAIL_REGISTER: path.join(dir, 'nope.js') },
    });
    expect(noPreload.code).toBe(1);
    expect(noPreload.stderr).toMatch(/spantrail\/register not found/);
  });
});
