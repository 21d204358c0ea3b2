import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './utils/exec.js';

// The package as users get it: `npm pack`, installed from the tarball into
// a fresh project, then loaded from ESM, CommonJS and TypeScript projects
// of both module kinds. One pack and one install serve every test here.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-package-'));
const project = path.join(tmp, 'project');
const modules = path.join(project, 'node_modules');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const version: string = JSON.parse(
  fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
).version;
let tarball = '';
let files: Array<string> = [];
/** Loading `spantrail/otel` before `@opentelemetry/api` is installed. */
let otelMissing: { cjs: Run; esm: Run };

type Run = { status: number | null; stdout: string; stderr: string };

function run(command: string, args: Array<string>, cwd: string = project): Run {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): string {
  if (r.status !== 0) {
    throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

function writeFiles(dir: string, entries: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(entries)) {
    fs.writeFileSync(path.join(dir, name), text);
  }
}

function link(name: string): void {
  const target = path.join(modules, name);
  if (fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules', name), target, 'dir');
}

beforeAll(() => {
  const packed = JSON.parse(
    ok(run('npm', ['pack', '--json', '--pack-destination', tmp], root)),
  );
  tarball = path.join(tmp, packed[0].filename);
  files = packed[0].files.map((f: { path: string }) => f.path);
  writeFiles(project, {
    'package.json': JSON.stringify({ name: 'consumer', private: true }),
  });
  // the registry's dependencies come from the npm cache `npm ci` filled
  ok(
    run('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
    ]),
  );
  const probe = `try { X } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }`;
  otelMissing = {
    cjs: run(process.execPath, [
      '-e',
      probe.replace('X', "require('spantrail/otel')"),
    ]),
    esm: run(process.execPath, [
      '--input-type=module',
      '-e',
      probe.replace('X', "await import('spantrail/otel')"),
    ]),
  };
  // the optional peer, for the tests that load spantrail/otel; Node's
  // types only once the browser project has been checked without them
  link('@opentelemetry/api');
}, 180000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the tarball', () => {
  test('holds the build, the docs, README and LICENSE, and nothing else', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/cli/main.js');
    const unexpected = files.filter(
      (f) =>
        !/^dist\/.+\.(js|cjs|d\.ts|d\.cts)$/.test(f) &&
        !/^docs\/[^/]+\.(md|json)$/.test(f) &&
        !['LICENSE', 'README.md', 'package.json'].includes(f),
    );
    expect(unexpected).toEqual([]);
    // the CLI is no importable module: its declarations are dead weight
    expect(files.filter((f) => /^dist\/cli\/.*\.d\.ts$/.test(f))).toEqual([]);
  });

  test('LICENSE is the Apache-2.0 text the package declares', () => {
    const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    const pkg = JSON.parse(
      fs.readFileSync(path.join(modules, 'spantrail/package.json'), 'utf8'),
    );
    expect(pkg.license).toBe('Apache-2.0');
  });

  test('no source map and no reference to one that is not shipped', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const dist = path.join(modules, 'spantrail/dist');
    const dangling: Array<string> = [];
    for (const f of fs.readdirSync(dist, {
      recursive: true,
    }) as Array<string>) {
      if (!/\.(c?js|d\.c?ts)$/.test(f)) continue;
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      // a source map comment naming a file (code that writes inline maps
      // for others, as the esbuild plugin does, holds the words in a string)
      if (/^\/\/# sourceMappingURL=(?!data:|\$\{)/m.test(text))
        dangling.push(f);
    }
    expect(dangling).toEqual([]);
  });

  test('publint finds nothing', () => {
    const r = run(
      process.execPath,
      [
        path.join(root, 'node_modules/publint/src/cli.js'),
        'run',
        tarball,
        '--strict',
      ],
      root,
    );
    expect(r.stdout + r.stderr).toContain('All good');
    expect(r.status).toBe(0);
  });

  test('are the types wrong (attw) finds nothing', () => {
    // node16 profile: node10 resolution predates `exports` (TypeScript's
    // `moduleResolution: node`); a `require` resolving to ESM is what Node
    // >= 20.19 (the package's engines) and TypeScript's nodenext support
    const r = run(
      process.execPath,
      [
        path.join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
        tarball,
        '--profile',
        'node16',
        '--ignore-rules',
        'cjs-resolves-to-esm',
        '--format',
        'table-flipped',
      ],
      root,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('installed from the tarball', () => {
  test('`spantrail --version` runs through the bin link', () => {
    const bin = path.join(modules, '.bin/spantrail');
    const stat = fs.statSync(path.join(modules, 'spantrail/dist/cli/main.js'));
    expect(stat.mode & 0o111).not.toBe(0);
    expect(ok(run(bin, ['--version'])).trim()).toBe(version);
  });

  test('every entry point loads from a .cjs file with require()', () => {
    writeFiles(project, {
      'entries.cjs': `
const main = require('spantrail');
const reader = require('spantrail/reader');
const otel = require('spantrail/otel');
require('spantrail/register');
const pkg = require('spantrail/package.json');
const tracer = new main.Tracer({ output: () => {} });
tracer.startSpan('cjs').end();
console.log(JSON.stringify({
  tracer: typeof main.Tracer,
  traced: typeof main.traced,
  reader: typeof reader.TraceReader,
  otel: typeof otel.SpantrailTracerProvider,
  version: pkg.version,
}));
`,
    });
    const out = JSON.parse(
      ok(run(process.execPath, [path.join(project, 'entries.cjs')])),
    );
    expect(out).toEqual({
      tracer: 'function',
      traced: 'function',
      reader: 'function',
      otel: 'function',
      version,
    });
  });

  test('spantrail/otel without @opentelemetry/api: one clear error, both module kinds', () => {
    for (const r of [otelMissing.cjs, otelMissing.esm]) {
      const e = JSON.parse(ok(r));
      expect(e.name).toBe('ErrorOtelApiMissing');
      expect(e.message).toContain('npm install @opentelemetry/api');
    }
  });

  test.each([
    ['a browser project (lib dom, no Node types)', ['dom', 'es2022'], []],
    ['a Node project', ['es2022'], ['node']],
  ])(
    'the public types check with skipLibCheck false in %s',
    (label, lib, types) => {
      if (types.length === 0) {
        // nothing that could make a `node:` import in a declaration resolve
        expect(fs.existsSync(path.join(modules, '@types/node'))).toBe(false);
      } else {
        link('@types/node');
      }
      const dir = path.join(project, label.replace(/\W+/g, '-'));
      writeFiles(dir, {
        'package.json': JSON.stringify({ name: 'types', type: 'module' }),
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            lib,
            types,
            strict: true,
            skipLibCheck: false,
            noEmit: true,
          },
        }),
        'index.ts': `
import * as main from 'spantrail';
import * as reader from 'spantrail/reader';
import * as otel from 'spantrail/otel';
import tracer from 'spantrail/register';
export const all = [main, reader, otel, tracer];
`,
      });
      ok(run(process.execPath, [tsc, '-p', dir]));
    },
  );

  test('a CommonJS TypeScript project compiles to require() and runs', () => {
    link('@types/node');
    const dir = path.join(project, 'cjs');
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'cjs', type: 'commonjs' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          skipLibCheck: false,
          experimentalDecorators: true,
          types: ['node'],
        },
      }),
      'index.ts': `
import { Tracer, Traceable, traced, setTracer } from 'spantrail';
import { TraceReader } from 'spantrail/reader';
import { SpantrailTracerProvider } from 'spantrail/otel';

const tracer = new Tracer({ output: process.argv[2] });
setTracer(tracer);

@Traceable()
class Orders {
  @traced({ attributes: (_self, [id]) => ({ 'order.id': id }) })
  public place(id: string): string {
    return id;
  }
}
new Orders().place('o-1');
void tracer.close();
console.log(JSON.stringify({
  reader: typeof TraceReader,
  otel: typeof SpantrailTracerProvider,
}));
`,
    });
    ok(run(process.execPath, [tsc, '-p', dir]));
    const js = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(js).toContain('require("spantrail")');
    const trace = path.join(dir, 'trace.jsonl');
    const out = JSON.parse(
      ok(run(process.execPath, [path.join(dir, 'index.js'), trace])),
    );
    const spans = fs
      .readFileSync(trace, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'span');
    expect(spans.map((s) => [s.name, s.attributes])).toEqual([
      ['Orders.place', { 'order.id': 'o-1' }],
    ]);
    expect(out).toEqual({
      reader: 'function',
      otel: 'function',
    });
  });
});
