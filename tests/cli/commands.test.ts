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

describe('usability', () => {
  const hex = (n: number): string => n.toString(16).padStart(32, '0');
  function spanLine(
    trace: number,
    span: number,
    name: string,
    startUs: number,
    durationUs: number,
    parent?: number,
    attributes: Record<string, unknown> = {},
  ): string {
    return (
      JSON.stringify({
        type: 'span',
        traceId: hex(trace),
        spanId: hex(span),
        ...(parent != null ? { parentId: hex(parent) } : {}),
        name,
        kind: 0,
        startTime: 1763730000000000 + startUs,
        duration: durationUs * 1000,
        status: { code: 0 },
        attributes,
        events: [],
        links: [],
      }) + '\n'
    );
  }

  test('bad flags are reported in the CLI words, not node parseArgs', async () => {
    const unknown = await runCli(['view', '--bogus', 'basic.jsonl']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "spantrail: unknown option '--bogus'\nRun 'spantrail view --help' for usage.\n",
    );
    const missing = await runCli(['view', '--width']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^spantrail: option --width needs a value\n/,
    );
    const extra = await runCli(['stats', '--json=yes', 'basic.jsonl']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^spantrail: option --json takes no value\n/);
    for (const r of [unknown, missing, extra]) {
      expect(r.stderr).not.toMatch(
        /positional argument|<value>|argument missing/,
      );
    }
  });

  test('the top-level help says convert takes several files', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/^ {2}convert <file\.\.\.> /m);
    const own = await runCli(['convert', '--help']);
    expect(own.stdout).toMatch(/^Usage: spantrail convert <file\.\.\.>/);
  });

  test('an ambiguous --trace prefix lists 10 candidates and how many more', async () => {
    const file = path.join(dir, 'many.jsonl');
    let text = '';
    for (let t = 1; t <= 13; t++) text += spanLine(t, t, `T${t}`, t, 1);
    fs.writeFileSync(file, text);
    const r = await runCli(['view', '--trace', '0', file]);
    expect(r.code).toBe(1);
    const listed = r.stderr
      .split('\n')
      .filter((l) => /^ {2}[0-9a-f]{32}$/.test(l));
    expect(listed).toHaveLength(10);
    expect(r.stderr).toContain('\n  and 3 more\n');
  });

  test('stats --json states its units, and durations are nanoseconds', async () => {
    const r = await runCli(['stats', '--json', 'basic.jsonl']);
    const json = JSON.parse(r.stdout);
    expect(json.units).toEqual({
      duration: 'nanoseconds',
      startTime: 'epoch microseconds',
    });
    // the text report shows Job.run as 1.50ms: 1,500,000 ns
    const text = await runCli(['stats', '--no-color', 'basic.jsonl']);
    expect(text.stdout).toMatch(/Job\.run .*1\.50ms/);
    const job = json.byName.find((n: any) => n.name === 'Job.run');
    expect(job.max).toBe(1_500_000);
  });

  test('--mode time keeps tree order: a sibling never reads as a child', async () => {
    // B (0-10ms) has child D starting at 7ms; C, B's sibling, starts at 5ms
    const file = path.join(dir, 'siblings.jsonl');
    fs.writeFileSync(
      file,
      spanLine(1, 1, 'A', 0, 20_000) +
        spanLine(1, 2, 'B', 0, 10_000, 1) +
        spanLine(1, 3, 'C', 5_000, 10_000, 1) +
        spanLine(1, 4, 'D', 7_000, 1_000, 2),
    );
    const r = await runCli(['view', '--mode', 'time', '--no-color', file]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l.includes('│'))
      .map((l) => l.slice(l.lastIndexOf('│') + 1));
    expect(rows.map((n) => n.trim())).toEqual(['A', 'B', 'D', 'C']);
    // indentation: D under B, C back at B's depth
    expect(rows.map((n) => n.length - n.trimStart().length)).toEqual([
      1, 3, 5, 3,
    ]);
  });

  test('--attributes shows span attributes in both modes', async () => {
    const file = path.join(dir, 'attrs.jsonl');
    fs.writeFileSync(
      file,
      spanLine(1, 1, 'Orders.place', 0, 2_000, undefined, {
        'order.id': 'o-1',
        items: 3,
      }) +
        spanLine(1, 2, 'Orders.reserve', 100, 1_000, 1, { warehouse: 'north' }),
    );
    const plain = await runCli(['view', '--no-color', file]);
    expect(plain.stdout).not.toContain('order.id');
    const tree = await runCli(['view', '-a', '--no-color', file]);
    const lines = tree.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Orders.place'));
    expect(lines[at + 1]).toBe('│  order.id=o-1 items=3');
    expect(lines[at + 3]).toBe('   warehouse=north');
    const time = await runCli([
      'view',
      '--mode',
      'time',
      '--attributes',
      '--no-color',
      file,
    ]);
    const rows = time.stdout.split('\n');
    const place = rows.findIndex((l) => l.endsWith(' Orders.place'));
    expect(rows[place + 1]).toMatch(/│ {3}order\.id=o-1 items=3$/);
    expect(rows[place + 3]).toMatch(/│ {5}warehouse=north$/);
  });
});
