import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { root } from './utils/exec.js';

// Every TypeScript block of README.md and docs/*.md is type-checked against
// the built package in both decorator dialects, and the runnable ones run,
// so the documentation cannot drift from the API.
//
// An HTML comment right above a block (invisible on GitHub) says more:
//
//   <!-- snippet: run legacy-only
//   import { Tracer } from 'spantrail'; // hidden prelude, as many lines
//   -->
//
// `run`: the block runs (in a fresh directory, must exit 0 and print
// nothing on stderr but trace records); `legacy-only`: the block uses what only
// `experimentalDecorators` has (parameter decorators). The other lines are
// a prelude compiled before the block: the imports and declarations a
// fragment leaves out.

type Snippet = {
  /** `README.md:39`: where the block starts. */
  where: string;
  name: string;
  prelude: string;
  code: string;
  run: boolean;
  legacyOnly: boolean;
};

const fence = /^```(ts|typescript)\s*$/;

function extract(file: string): Array<Snippet> {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const snippets: Array<Snippet> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i])) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    let flags: Array<string> = [];
    let prelude: Array<string> = [];
    let close = start - 1;
    while (close > 0 && lines[close].trim() === '') close--;
    if (lines[close]?.trim() === '-->') {
      let open = close;
      while (open > 0 && !lines[open].startsWith('<!-- snippet')) open--;
      if (lines[open].startsWith('<!-- snippet')) {
        flags = lines[open]
          .replace('<!-- snippet', '')
          .replace(':', '')
          .trim()
          .split(/\s+/)
          .filter((f) => f !== '');
        prelude = lines.slice(open + 1, close);
      }
    }
    for (const f of flags) {
      if (f !== 'run' && f !== 'legacy-only') {
        throw new Error(`${file}:${start + 1}: unknown snippet flag ${f}`);
      }
    }
    snippets.push({
      where: `${file}:${start + 1}`,
      name: `${file.replace(/\W+/g, '-')}-${start + 1}`,
      prelude: prelude.join('\n'),
      code: lines.slice(start + 1, end).join('\n'),
      run: flags.includes('run'),
      legacyOnly: flags.includes('legacy-only'),
    });
    i = end;
  }
  return snippets;
}

const files = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const snippets = files.flatMap(extract);

// inside the package, so `import 'spantrail'` resolves to the build through
// the package's own `exports`, as it does for users
fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
const work = fs.mkdtempSync(path.join(root, 'tmp', 'docs-snippets-'));
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-docs-run-'));
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(runDir, { recursive: true, force: true });
});

/**
 * Writes the snippets of one dialect as modules, type-checks and emits them
 * in one program. Returns the diagnostics, each placed at its Markdown line.
 */
function compile(
  dialect: string,
  experimentalDecorators: boolean,
): { errors: Array<string>; dir: string } {
  const dir = path.join(work, dialect);
  fs.mkdirSync(dir, { recursive: true });
  const sources = new Map<string, Snippet>();
  const preludeLines = new Map<string, number>();
  for (const s of snippets) {
    if (s.legacyOnly && !experimentalDecorators) continue;
    const file = path.join(dir, `${s.name}.ts`);
    const head = s.prelude === '' ? '' : s.prelude + '\n';
    fs.writeFileSync(file, head + s.code + '\nexport {};\n');
    sources.set(file, s);
    preludeLines.set(file, head === '' ? 0 : head.split('\n').length - 1);
  }
  const program = ts.createProgram([...sources.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    outDir: dir,
    rootDir: dir,
  });
  const errors: Array<string> = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const s = d.file && sources.get(path.normalize(d.file.fileName));
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file == null || s == null || d.start == null) {
      errors.push(message);
      continue;
    }
    const line =
      d.file.getLineAndCharacterOfPosition(d.start).line -
      preludeLines.get(path.normalize(d.file.fileName))!;
    const [file, start] = s.where.split(':');
    const at =
      line < 0 ? `${s.where} (prelude)` : `${file}:${Number(start) + 1 + line}`;
    errors.push(`${at}: TS${d.code} ${message}`);
  }
  program.emit();
  return { errors, dir };
}

test('the docs have TypeScript blocks, some runnable', () => {
  expect(snippets.length).toBeGreaterThan(10);
  expect(snippets.filter((s) => s.run).length).toBeGreaterThan(3);
});

describe.each([
  ['experimentalDecorators', true],
  ['standard decorators', false],
])('with %s', (dialect, experimental) => {
  let compiled: { errors: Array<string>; dir: string };

  test('every block type-checks', () => {
    compiled = compile(dialect.replace(/\W+/g, '-'), experimental);
    expect(compiled.errors).toEqual([]);
  }, 120000);

  const runnable = snippets.filter(
    (s) => s.run && (experimental || !s.legacyOnly),
  );
  test.each(runnable)(
    '$where runs',
    (s: Snippet) => {
      const cwd = fs.mkdtempSync(path.join(runDir, `${s.name}-`));
      const r = spawnSync(
        process.execPath,
        [path.join(compiled.dir, `${s.name}.js`)],
        { cwd, encoding: 'utf8', timeout: 30000 },
      );
      // a block may write its trace to stderr: anything else there is a
      // warning or an error
      const other = r.stderr
        .split('\n')
        .filter((l) => l !== '' && !/^\{"type":"\w+"/.test(l));
      expect(other).toEqual([]);
      expect(r.status).toBe(0);
    },
    60000,
  );
});
