import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { assertBuilt, cli } from './helpers.js';
import { describeWhen } from '../utils/prerequisites.js';

function has(cmd: string): boolean {
  try {
    execFileSync('which', [cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-follow-'));
const file = path.join(dir, 'live.jsonl');
const session = `spantrail-follow-${process.pid}`;
const hex = (n: number): string => n.toString(16).padStart(32, '0');

function spanLine(id: number, name: string): string {
  return (
    JSON.stringify({
      type: 'span',
      traceId: hex(id),
      spanId: hex(id),
      name,
      kind: 0,
      startTime: 1763730000000000 + id * 1000,
      duration: 1000000,
      status: { code: 0 },
      attributes: {},
      events: [],
      links: [],
    }) + '\n'
  );
}

const tmux = (...args: Array<string>): string =>
  execFileSync('tmux', args, { encoding: 'utf8' });

async function waitForPane(text: string, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  let pane = '';
  while (Date.now() < until) {
    pane = tmux('capture-pane', '-p', '-t', session);
    if (pane.includes(text)) return pane;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`'${text}' did not appear; pane:\n${pane}`);
}

beforeAll(assertBuilt);

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describeWhen(has('tmux'), 'tmux')('view --follow in a terminal', () => {
  test('shows spans appended while it runs, across a partial line', async () => {
    fs.writeFileSync(file, spanLine(1, 'First.span'));
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '30',
      `${process.execPath} ${cli} view --follow ${file}`,
    );
    await waitForPane('First.span', 10000);
    // A record written in two pieces: the first half must not show or count
    // as malformed; the span appears once the line is complete.
    const second = spanLine(2, 'Second.span');
    fs.appendFileSync(file, second.slice(0, 40));
    await new Promise((r) => setTimeout(r, 600));
    let pane = tmux('capture-pane', '-p', '-t', session);
    expect(pane).not.toContain('Second.span');
    expect(pane).not.toContain('malformed');
    fs.appendFileSync(file, second.slice(40));
    pane = await waitForPane('Second.span', 10000);
    expect(pane).toContain('First.span');
    fs.appendFileSync(file, spanLine(3, 'Third.span'));
    await waitForPane('Third.span', 10000);
    // Colour on a terminal: the pane keeps escapes with -e.
    const styled = tmux('capture-pane', '-p', '-e', '-t', session);
    expect(styled).toContain('\x1b[');
  });
});

describe('view --follow with several files', () => {
  test('a truncated file does not drop the spans of the others', async () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    fs.writeFileSync(a, spanLine(1, 'A.one') + spanLine(2, 'A.two'));
    fs.writeFileSync(b, spanLine(3, 'B.one'));
    // Not a terminal: every redraw is a whole frame ending in the footer.
    const child = spawn(
      process.execPath,
      [cli, 'view', '--follow', '--no-color', a, b],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const frames = (): Array<string> => out.split(/^following .*$/m);
    const waitForFrame = async (
      ok: (frame: string) => boolean,
    ): Promise<void> => {
      const until = Date.now() + 10000;
      while (Date.now() < until) {
        if (frames().some(ok)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no such frame; output:\n${out}`);
    };
    try {
      await waitForFrame((f) => f.includes('A.two') && f.includes('B.one'));
      // Shorter than before: read as a truncation of a.jsonl.
      fs.writeFileSync(a, spanLine(4, 'A.new'));
      await waitForFrame((f) => f.includes('A.new') && f.includes('B.one'));
      const last = frames().filter((f) => f.includes('A.new'));
      expect(last[last.length - 1]).not.toContain('A.two');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('view --follow on a file that does not exist yet', () => {
  test('waits for it, as tail -F does', async () => {
    const late = path.join(dir, 'late.jsonl');
    const child = spawn(
      process.execPath,
      [cli, 'view', '--follow', '--no-color', late],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const waitFor = async (text: string): Promise<void> => {
      const until = Date.now() + 10000;
      while (Date.now() < until) {
        if (out.includes(text)) return;
        if (child.exitCode != null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `'${text}' did not appear; stdout:\n${out}\nstderr:\n${err}`,
      );
    };
    try {
      await waitFor('waiting for spans');
      fs.writeFileSync(late, spanLine(5, 'Late.span'));
      await waitFor('Late.span');
      expect(err).toBe('');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
