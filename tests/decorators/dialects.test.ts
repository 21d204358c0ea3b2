import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { describe, test, expect, beforeAll } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/decorators/service.ts');
const distIndex = 'file://' + path.join(root, 'dist/index.js');

/**
 * Type-checks and compiles the fixture with the TypeScript API, pointing
 * its import of `src/index.js` at the built package, and runs it in plain
 * node. Returns what it printed.
 */
function compileAndRun(experimentalDecorators: boolean): any {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-dialect-'));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    outDir,
    rootDir: root,
  };
  const program = ts.createProgram([fixture], options);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fixture);
  if (diagnostics.length > 0) {
    throw new Error(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n',
      }),
    );
  }
  let emitted = '';
  program.emit(program.getSourceFile(fixture), (name, text) => {
    if (name.endsWith('.js')) emitted = text;
  });
  expect(emitted).not.toBe('');
  // standard decorators compile to __esDecorate, legacy ones to __decorate
  expect(emitted.includes('__esDecorate')).toBe(!experimentalDecorators);
  const out = path.join(outDir, 'service.mjs');
  fs.writeFileSync(out, emitted.replaceAll('../../../src/index.js', distIndex));
  const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.each([
  ['experimentalDecorators', true],
  ['standard decorators', false],
])('decorators compiled with %s', (_label, experimental) => {
  let result: any;
  beforeAll(() => {
    result = compileAndRun(experimental);
  }, 60000);

  test('span names, parents, status and exceptions', () => {
    const spans: Array<any> = result.spans;
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const handle = one('Api.handle');
    const loads = spans.filter((s) => s.name === 'Store.load');
    expect(loads).toHaveLength(3);
    expect(loads[0].parentId).toBe(handle.spanId);
    const gets = spans.filter((s) => s.name === 'Store.get');
    // 1 from handle, 2 from the generator (closed early), 2 from stream
    expect(gets).toHaveLength(5);
    expect(gets[0].parentId).toBe(loads[0].spanId);
    const keys = one('Store.keys');
    expect(gets.filter((g) => g.parentId === keys.spanId)).toHaveLength(2);
    const stream = one('Store.stream');
    expect(loads.filter((l) => l.parentId === stream.spanId)).toHaveLength(2);
    const fail = one('Store.fail');
    expect(fail.status).toBe(2);
    expect(fail.events).toEqual(['exception']);
    one('Store.build');
    one('Api.describe');
    expect(result.errorSame).toBe(true);
  });

  test('the method keeps its name and length, the class its name', () => {
    expect(result.methodName).toBe('load');
    expect(result.methodLength).toBe(1);
    expect(result.apiName).toBe('Api');
    // the subclass @Traceable returns is invisible to the user
    expect(result.apiSource).not.toContain('onConstruct');
    expect(result.apiSource).toContain('explode()');
  });

  test('stack frames name the class, not the subclass', () => {
    const frames: Array<string> = result.explodeStack
      .split('\n')
      .filter((l: string) => l.trim().startsWith('at '));
    expect(frames[0]).toMatch(/^\s+at Api\.explode \(/);
    expect(result.explodeStack).not.toContain('Hooked');
  });
});
