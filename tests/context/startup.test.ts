import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { describe, expect, test } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/context/startup.ts');

describe('explicit contexts in a fresh process', () => {
  test('the first calls at start-up already carry their parent on ctx', () => {
    const source = fs.readFileSync(fixture, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators: true,
      },
    });
    // inside the repo, so that `@matrixai/contexts` resolves
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, 'tmp', 'startup-'));
    try {
      const out = path.join(dir, 'startup.mjs');
      fs.writeFileSync(
        out,
        outputText.replaceAll(
          '../../../src/index.js',
          'file://' + path.join(root, 'dist/index.js'),
        ),
      );
      const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const { timer, spans } = JSON.parse(r.stdout);
      expect(timer).toBe('object');
      const outer = spans.find((s: any) => s.name === 'Service.outer');
      const inner = spans.find((s: any) => s.name === 'Service.inner');
      expect(outer.parentId).toBeUndefined();
      expect(inner.parentId).toBe(outer.spanId);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
