import type { AddressInfo } from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test, expect } from '@jest/globals';
import fc from 'fast-check';
import { parseInstrumentations, instrument } from '../../src/index.js';
import { collectingTracer } from '../decorators/utils.js';
import { fcParams } from '../utils/fc.js';

describe('SPANTRAIL_INSTRUMENT', () => {
  test('lists, all, none, default', () => {
    const all = ['async-init', 'http', 'fetch'];
    expect([...parseInstrumentations(undefined)]).toEqual(all);
    expect([...parseInstrumentations('')]).toEqual(all);
    expect([...parseInstrumentations('all')]).toEqual(all);
    expect([...parseInstrumentations('none')]).toEqual([]);
    expect([...parseInstrumentations(' HTTP , fetch ')]).toEqual([
      'http',
      'fetch',
    ]);
    expect([...parseInstrumentations(['async-init'])]).toEqual(['async-init']);
    expect(() => parseInstrumentations('htp')).toThrow(/unknown .*'htp'/);
    expect(() => parseInstrumentations('none,http')).toThrow(TypeError);
  });

  test('total: a set of known names, or a TypeError', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          const set = parseInstrumentations(value as any);
          for (const n of set) {
            expect(['async-init', 'http', 'fetch']).toContain(n);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
        }
      }),
      fcParams(),
    );
  });

  test('instrument() turns on what is named and undoes it', async () => {
    const c = collectingTracer();
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    await new Promise((r) => s.close(r));
    const i = instrument(c.tracer, { instrument: 'fetch' });
    try {
      // a refused connection still makes a span
      await fetch(url).catch(() => undefined);
    } finally {
      i.uninstrument();
    }
    expect(c.spans.map((s) => s.name)).toEqual(['GET']);
    await fetch(url).catch(() => undefined);
    expect(c.spans).toHaveLength(1);
    expect(() => instrument(c.tracer, { instrument: 'x' })).toThrow(TypeError);
  });

  test('the preload refuses an unknown name before the program runs', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'file://' + path.join(root, 'dist/register.js'),
        '-e',
        "process.stdout.write('ran')",
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          SPANTRAIL_OUTPUT: 'stderr',
          SPANTRAIL_INSTRUMENT: 'http,htpp',
        },
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown instrumentation 'htpp'");
  });
});
