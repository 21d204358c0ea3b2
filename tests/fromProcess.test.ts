import { describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { traceOutputFromArgs, tracerFromProcess } from '../src/fromProcess.js';
import { noopTracer } from '../src/global.js';

describe('traceOutputFromArgs', () => {
  test.each([
    [
      ['node', 'app', '--trace-output', 'a.jsonl'],
      {},
      'a.jsonl',
      ['node', 'app'],
    ],
    [
      ['node', 'app', '--trace-output=fd:3', 'x'],
      {},
      'fd:3',
      ['node', 'app', 'x'],
    ],
    [
      ['node', 'app', '--trace-output=a', '--trace-output', 'b'],
      {},
      'b',
      ['node', 'app'],
    ],
    [
      ['node', 'app'],
      { SPANTRAIL_OUTPUT: 'stderr' },
      'stderr',
      ['node', 'app'],
    ],
    [
      ['node', 'app', '--trace-output', 'x'],
      { SPANTRAIL_OUTPUT: 'env' },
      'x',
      ['node', 'app'],
    ],
    [
      ['node', 'app', '--', '--trace-output', 'x'],
      {},
      undefined,
      ['node', 'app', '--', '--trace-output', 'x'],
    ],
    [['node', 'app'], {}, undefined, ['node', 'app']],
  ])('%j %j -> %j', (argv, env, dest, rest) => {
    const copy = [...argv];
    expect(traceOutputFromArgs(copy, env, true)).toBe(dest);
    expect(copy).toEqual(rest);
  });

  test('strip: false leaves argv alone', () => {
    const argv = ['node', 'app', '--trace-output', 'x'];
    expect(traceOutputFromArgs(argv, {}, false)).toBe('x');
    expect(argv).toHaveLength(4);
  });

  test('a flag with no value is a clear TypeError', () => {
    expect(() => traceOutputFromArgs(['--trace-output'], {}, true)).toThrow(
      /--trace-output: expects a destination/,
    );
    expect(() => traceOutputFromArgs(['--trace-output='], {}, true)).toThrow(
      TypeError,
    );
  });

  test('tracerFromProcess returns the no-op tracer when nothing is set', async () => {
    expect(tracerFromProcess({ argv: ['node'], env: {} })).toBe(noopTracer);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-fp-'));
    const tracer = tracerFromProcess({
      argv: ['node', '--trace-output', path.join(dir, 't.jsonl')],
      env: {},
      service: 's',
    });
    expect(tracer.enabled).toBe(true);
    expect(tracer.service).toBe('s');
    await tracer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
