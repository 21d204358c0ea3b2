import { describe, expect, test } from '@jest/globals';
import { createFilter } from '../../src/bundler/filter.js';

describe('createFilter', () => {
  test("default: the app's own JavaScript and TypeScript, not node_modules", () => {
    const filter = createFilter({}, '/app');
    for (const id of [
      '/app/src/a.ts',
      '/app/b.mjs',
      '/app/c.tsx',
      'C:\\app\\d.js',
    ]) {
      expect(filter(id)).toBe(true);
    }
    for (const id of [
      '/app/node_modules/x/index.js',
      'C:\\app\\node_modules\\x\\a.js',
      '/app/style.css',
      '/app/legacy.cjs',
      '/app/legacy.cts',
      '/app/a.vue?vue&type=script&lang.ts',
      '\0virtual:thing.js',
    ]) {
      expect(filter(id)).toBe(false);
    }
  });

  test('include and exclude: path prefixes, RegExps, functions', () => {
    const filter = createFilter(
      {
        include: ['src', /\/lib\/.*\.js$/],
        exclude: [(id) => id.endsWith('.test.ts'), 'src/vendor'],
      },
      '/app',
    );
    expect(filter('/app/src/a.ts')).toBe(true);
    expect(filter('/app/srcx/a.ts')).toBe(false);
    expect(filter('/app/lib/b.js')).toBe(true);
    expect(filter('/app/src/a.test.ts')).toBe(false);
    expect(filter('/app/src/vendor/v.js')).toBe(false);
    expect(filter('/app/other/c.ts')).toBe(false);
    // an included folder still needs a source file
    expect(filter('/app/src/data.json')).toBe(false);
    // node_modules is transformed only when asked for
    expect(
      createFilter({ exclude: [] }, '/app')('/app/node_modules/x.js'),
    ).toBe(true);
  });

  test('a pattern of another kind is a TypeError', () => {
    expect(() => createFilter({ include: 42 as any })).toThrow(TypeError);
    expect(() => createFilter({ exclude: [null as any] })).toThrow(TypeError);
  });
});
