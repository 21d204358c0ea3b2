import { describe, test, expect } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';

// The shape of src/, read from its own runtime imports (type-only imports
// are erased and do not count). README.md, "How the code is laid out",
// describes these layers in the same order.
const layers: Array<[number, RegExp]> = [
  [0, /^(types|constants|errors|version)\.ts$/],
  [1, /^utils\//],
  [2, /^format\//],
  [
    3,
    /^(Span|NonRecordingSpan|Tracer|NoopTracer|IdGenerator|events|global|processorFactory)\.ts$|^(context|sampling|propagation|results)\//,
  ],
  [4, /^(output|otlp|reader)\//],
  [5, /^(methods|otel)\/|^fromProcess\.ts$/],
  [6, /^(asyncInit|http|logs)\//],
  [7, /^decorators\//],
  [8, /^(instrument|bundler)\//],
  [9, /^(index|register)\.c?ts$|^cli\//],
];

const srcDir = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../src',
);

function layerOf(file: string): number {
  for (const [layer, pattern] of layers) if (pattern.test(file)) return layer;
  throw new Error(`${file}: no layer (add it to tests/architecture)`);
}

function sourceFiles(dir: string = srcDir): Array<string> {
  const out: Array<string> = [];
  for (const e of fs.readdirSync(dir, {
    withFileTypes: true,
    recursive: true,
  })) {
    if (!e.isFile() || !/\.c?ts$/.test(e.name) || e.name.endsWith('.d.ts')) {
      continue;
    }
    out.push(
      path.relative(srcDir, path.join(e.parentPath ?? (e as any).path, e.name)),
    );
  }
  return out;
}

/** Runtime imports of `file`, as paths relative to src/. */
function importsOf(file: string): Array<string> {
  const text = fs.readFileSync(path.join(srcDir, file), 'utf8');
  const specs: Array<string> = [];
  const statement =
    /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?'([^']+)'/gm;
  for (const m of text.matchAll(statement)) {
    if (m[2] !== undefined) continue;
    // `import { type A, type B } from` is erased too
    if (
      m[3] !== undefined &&
      /^\{\s*(type\s+[^,}]+,?\s*)+\}/.test(m[3].trim())
    ) {
      continue;
    }
    specs.push(m[4]);
  }
  for (const m of text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g)) {
    specs.push(m[1]);
  }
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) =>
      path
        .normalize(path.join(path.dirname(file), s))
        .replace(/\.js$/, '.ts')
        .replace(/\.cjs$/, '.cts'),
    );
}

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)]));

function closure(start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(graph.get(f) ?? []));
  }
  return seen;
}

describe('the import graph of src/', () => {
  test('every import resolves to a file of src/', () => {
    const missing: Array<string> = [];
    for (const [f, deps] of graph) {
      for (const d of deps) if (!graph.has(d)) missing.push(`${f} -> ${d}`);
    }
    expect(missing).toEqual([]);
  });

  test('no module imports from a layer above its own', () => {
    const upward: Array<string> = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        if (graph.has(d) && layerOf(d) > layerOf(f)) {
          upward.push(`${f} (${layerOf(f)}) -> ${d} (${layerOf(d)})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  test('no loop of runtime imports', () => {
    // Tarjan's strongly connected components, iteratively
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: Array<string> = [];
    const loops: Array<Array<string>> = [];
    let next = 0;
    for (const root of files) {
      if (index.has(root)) continue;
      const work: Array<[string, number]> = [[root, 0]];
      while (work.length > 0) {
        const top = work[work.length - 1];
        const [v, i] = top;
        if (i === 0) {
          index.set(v, next);
          low.set(v, next);
          next++;
          stack.push(v);
          onStack.add(v);
        }
        const deps = (graph.get(v) ?? []).filter((d) => graph.has(d));
        if (i < deps.length) {
          top[1]++;
          const w = deps[i];
          if (!index.has(w)) work.push([w, 0]);
          else if (onStack.has(w)) {
            low.set(v, Math.min(low.get(v)!, index.get(w)!));
          }
          continue;
        }
        work.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1][0];
          low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
        }
        if (low.get(v) === index.get(v)) {
          const component: Array<string> = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            component.push(w);
          } while (w !== v);
          if (component.length > 1) loops.push(component.sort());
        }
      }
    }
    expect(loops).toEqual([]);
  });

  test('the Tracer module loads no output, exporter or reader', () => {
    const loaded = [...closure('Tracer.ts')];
    expect(loaded.filter((f) => /^(output|otlp|reader|cli)\//.test(f))).toEqual(
      [],
    );
  });

  test('the reader depends on the format, never on the core', () => {
    const loaded = [...closure('reader/index.ts')];
    expect(loaded.filter((f) => layerOf(f) === 3 || layerOf(f) > 4)).toEqual(
      [],
    );
    expect(loaded.filter((f) => /^(output|otlp)\//.test(f))).toEqual([]);
  });

  test('code rewritten by the await transform loads the context only', () => {
    const loaded = [...closure('bundler/runtime.ts')];
    expect(
      loaded.filter((f) => !/^(bundler\/runtime|context\/)/.test(f)),
    ).toEqual([]);
  });

  test('the graph is read (a sanity check of the parser above)', () => {
    expect(graph.get('Tracer.ts')).toContain('Span.ts');
    expect(graph.get('index.ts')!.length).toBeGreaterThan(10);
    // a type-only import is not an edge
    expect(graph.get('format/writer.ts')).not.toContain('types.ts');
  });
});
