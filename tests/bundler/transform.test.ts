import { afterEach, describe, expect, test } from '@jest/globals';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { parse } from '@babel/parser';
import fc from 'fast-check';
import * as runtime from '../../src/bundler/runtime.js';
import {
  transformAwaits,
  runtimeName,
  frameName,
} from '../../src/bundler/transform.js';
import ShimContextManager from '../../src/context/ShimContextManager.js';
import AlsContextManager from '../../src/context/AlsContextManager.js';
import { setResumeTarget } from '../../src/context/resumeTarget.js';
import Tracer from '../../src/Tracer.js';
import { fcParams } from '../utils/fc.js';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runtimeModule = 'spantrail-test-runtime';
const importLine = `import * as ${runtimeName} from ${JSON.stringify(runtimeModule)}; `;

/**
 * Compiles `body` (the body of an async function of `tracer`, `sleep` and
 * `note`) with or without the transform and runs it. `note(name)` starts
 * and ends a span and records its parent's name (or null).
 */
async function run(
  body: string,
  options: { transform: boolean; context: 'shim' | 'als' },
): Promise<Record<string, string | null>> {
  let code = body;
  if (options.transform) {
    const result = transformAwaits(body, { runtime: runtimeModule });
    expect(result).toBeDefined();
    expect(result!.code.startsWith(importLine)).toBe(true);
    code = result!.code.slice(importLine.length);
  }
  const manager =
    options.context === 'shim'
      ? new ShimContextManager()
      : new AlsContextManager();
  setResumeTarget(manager instanceof ShimContextManager ? manager : undefined);
  const tracer = new Tracer({ context: manager, output: [] });
  const byId = new Map<string, string>();
  const parents: Record<string, string | null> = {};
  const note = (name: string) => {
    const span = tracer.startSpan(name);
    span.end();
    parents[name] =
      span.parentId === undefined ? null : (byId.get(span.parentId) ?? '?');
  };
  const start = (name: string, fn: (span: any) => unknown) =>
    tracer.startActiveSpan(name, (span) => {
      byId.set(span.spanId, name);
      return fn(span);
    });
  const fn = new AsyncFunction(runtimeName, 'start', 'sleep', 'note', code);
  await fn(runtime, start, sleep, note);
  // nothing is left active for the next job
  await sleep(0);
  expect(manager.active()).toBeUndefined();
  return parents;
}

type Parents = Record<string, string | null>;

/**
 * Programs, the parents AsyncLocalStorage gives their spans, and where the
 * shim with the transform gives less (missing, never another span).
 */
const programs: Record<string, [string, Parents, Parents?]> = {
  'plain await, concurrent chains': [
    `
    const chain = (name) => start(name, async () => {
      await sleep(2);
      note(name + '.1');
      await null;
      note(name + '.2');
      await new Promise((r) => queueMicrotask(r));
      note(name + '.3');
    });
    await Promise.all([chain('a'), chain('b'), chain('c')]);
    `,
    {
      'a.1': 'a',
      'a.2': 'a',
      'a.3': 'a',
      'b.1': 'b',
      'b.2': 'b',
      'b.3': 'b',
      'c.1': 'c',
      'c.2': 'c',
      'c.3': 'c',
    },
  ],
  'for await over an async generator, a sync iterable, with break': [
    `
    async function* gen(n) {
      note('gen.start');
      for (let i = 0; i < n; i++) {
        await sleep(1);
        note('gen.await');
        yield i;
      }
    }
    await start('loop', async () => {
      for await (const v of gen(2)) note('body' + v);
      note('after');
      outer: for await (const v of [sleep(1), Promise.resolve(2)]) {
        note('sync' + (v ?? 'u'));
        for await (const w of gen(3)) {
          if (w === 1) continue outer;
          note('inner' + w);
        }
      }
      note('after.sync');
      for await (const v of gen(5)) {
        if (v === 1) break;
      }
      note('after.break');
    });
    `,
    {
      'gen.start': 'loop',
      'gen.await': 'loop',
      body0: 'loop',
      body1: 'loop',
      after: 'loop',
      syncu: 'loop',
      sync2: 'loop',
      inner0: 'loop',
      'after.sync': 'loop',
      'after.break': 'loop',
    },
  ],
  'try/catch/finally after rejected awaits': [
    `
    const fail = async () => { await sleep(1); throw new Error('x'); };
    await start('t', async () => {
      try {
        await fail();
      } catch {
        note('catch');
        await sleep(1);
        note('catch.await');
      } finally {
        note('finally');
      }
      try {
        try {
          await sleep(1);
          await fail();
        } finally {
          note('finally.inner');
        }
      } catch (e) {
        note('catch.outer');
      }
    });
    `,
    {
      catch: 't',
      'catch.await': 't',
      finally: 't',
      'finally.inner': 't',
      'catch.outer': 't',
    },
  ],
  'nested async arrows and methods': [
    `
    await start('outer', async () => {
      const expr = async (n) => (await sleep(n), note('expr' + n));
      await expr(1);
      await start('inner', async () => {
        const obj = { async m() { await sleep(1); note('method'); } };
        await obj.m();
        await Promise.all([1, 2].map(async (n) => {
          await sleep(n);
          note('arrow' + n);
        }));
        note('inner.after');
      });
      await expr(2);
      note('outer.after');
    });
    `,
    {
      expr1: 'outer',
      method: 'inner',
      arrow1: 'inner',
      arrow2: 'inner',
      'inner.after': 'inner',
      expr2: 'outer',
      'outer.after': 'outer',
    },
  ],
  'an async generator resumes in the context of its resumer': [
    `
    async function* g() {
      note('g.start');
      try {
        yield 1;
        await sleep(1);
        note('g.await');
        yield 2;
      } finally {
        note('g.finally');
      }
    }
    const it = g();
    await start('first', async () => {
      await it.next();
    });
    await start('second', () => it.next());
    await start('third', () => it.return());
    const it2 = g();
    await it2.next();
    await start('fourth', async () => {
      await it2.throw(new Error('x')).catch(() => {});
    });
    `,
    {
      'g.start': null,
      'g.await': 'second',
      'g.finally': 'fourth',
    },
  ],
  'an async generator left by return() runs its finally after an await': [
    `
    async function* g() {
      try {
        yield 1;
      } finally {
        note('g.finally');
      }
    }
    const it = g();
    await start('first', () => it.next());
    await start('second', () => it.return());
    `,
    { 'g.finally': 'second' },
    // return() resumes the generator with an await the transform cannot
    // see: the resumer's span is gone by then
    { 'g.finally': null },
  ],
  'a computed method key awaited in the enclosing function': [
    `
    await start('keys', async () => {
      const C = class {
        [await sleep(1).then(() => 'm')]() {}
      };
      note('after.key');
      const o = { async [(await null, 'k')]() { await sleep(1); note('in.k'); } };
      await o.k();
    });
    `,
    { 'after.key': 'keys', 'in.k': 'keys' },
  ],
  'an arrow whose expression body starts on the next line': [
    `
    const f = async () =>
      await sleep(1);
    const g = async (n) =>
      (
        await sleep(n), note('g' + n)
      );
    await start('arrow', async () => {
      await f();
      note('after.f');
      await g(1);
    });
    `,
    { 'after.f': 'arrow', g1: 'arrow' },
  ],
  "a function resumed after its caller's span ended": [
    `
    let later;
    await start('caller', async () => {
      later = start('own', async () => {
        await sleep(5);
        note('own.child');
      });
      await null;
    });
    note('root');
    await later;
    `,
    { 'own.child': 'own', root: null },
  ],
};

describe('transformAwaits', () => {
  afterEach(() => setResumeTarget(undefined));

  for (const [name, [program, expected, shim]] of Object.entries(programs)) {
    test(`${name}: exact under the shim with the transform`, async () => {
      const got = await run(program, { transform: true, context: 'shim' });
      expect(got).toEqual({ ...expected, ...shim });
    });

    test(`${name}: the same parents as AsyncLocalStorage`, async () => {
      const als = await run(program, { transform: false, context: 'als' });
      expect(als).toEqual(expected);
      // with ALS the transformed code behaves as the original
      const alsTransformed = await run(program, {
        transform: true,
        context: 'als',
      });
      expect(alsTransformed).toEqual(expected);
    });

    test(`${name}: missing (never wrong) under the shim without it`, async () => {
      const got = await run(program, { transform: false, context: 'shim' });
      let missing = 0;
      for (const [span, parent] of Object.entries(got)) {
        if (parent === null) missing += expected[span] === null ? 0 : 1;
        else expect(parent).toBe(expected[span]);
      }
      // the program has spans after awaits, which the shim alone loses
      if (shim === undefined) expect(missing).toBeGreaterThan(0);
    });
  }

  test('the order of every step is unchanged', async () => {
    const program = `
      const log = [];
      const task = async (name) => {
        for (let i = 0; i < 3; i++) {
          await (i % 2 ? null : Promise.resolve(i));
          log.push(name + i);
        }
        for await (const v of [1, Promise.resolve(2)]) log.push(name + 'v' + v);
        for await (const v of [3, 4]) { log.push(name + 'b' + v); break; }
        try { await Promise.reject(1); } catch { log.push(name + 'c'); }
        async function* g() { yield 1; await null; yield 2; }
        for await (const v of g()) log.push(name + 'g' + v);
      };
      queueMicrotask(() => log.push('m'));
      await Promise.all([task('a'), task('b'), start('s', () => task('c'))]);
      note(JSON.stringify(log));
    `;
    const logs = [];
    for (const transform of [false, true]) {
      for (const context of ['shim', 'als'] as const) {
        const got = await run(program, { transform, context });
        logs.push(Object.keys(got)[0]);
      }
    }
    expect(logs.length).toBe(4);
    expect(JSON.parse(logs[0]).length).toBe(1 + 3 * 9);
    expect(new Set(logs).size).toBe(1);
  });

  test('leaves files without a suspending async function alone', () => {
    expect(transformAwaits('const a = 1;')).toBeUndefined();
    expect(
      transformAwaits('async function f() { return 1; }\nawait f();'),
    ).toBeUndefined();
    expect(
      transformAwaits('async function f() { return () => 1; }'),
    ).toBeUndefined();
    // declarations a block would reject: the function is left as it is
    for (const clash of [
      'async function f() { function g() {} function g() {} await x; }',
      'async function f() { for (var [, { g }] of y); function g() {} await x; }',
    ]) {
      expect(transformAwaits(clash)).toBeUndefined();
    }
    expect(
      transformAwaits('async function f() { var h; function g() {} await x; }'),
    ).toBeDefined();
  });

  test('source map: every original token maps back to where it was', () => {
    const source = [
      "import { x } from './x.js';",
      'type T = { a: number };',
      'export async function load(id: string): Promise<T> {',
      '  const first = await fetchIt(id);',
      '  for await (const item of stream(first)) {',
      '    consume(item);',
      '  }',
      '  try {',
      '    return await finish(first as T);',
      '  } finally {',
      '    cleanup();',
      '  }',
      '}',
      'export const arrow = async () => await x;',
    ].join('\n');
    const result = transformAwaits(source, { id: '/src/load.ts' })!;
    const map = new TraceMap(result.map.toString());
    expect(map.sources).toEqual(['/src/load.ts']);
    const outLines = result.code.split('\n');
    const names = [
      'fetchIt',
      'stream',
      'consume',
      'finish',
      'cleanup',
      'load',
      'arrow',
      'first',
      'item',
    ];
    let checked = 0;
    for (const name of names) {
      const re = new RegExp(`\\b${name}\\b`, 'g');
      const original = [...source.matchAll(re)].map((m) => {
        const before = source.slice(0, m.index);
        const line = before.split('\n').length;
        return { line, column: m.index! - before.lastIndexOf('\n') - 1 };
      });
      const found: Array<{ line: number | null; column: number | null }> = [];
      outLines.forEach((text, i) => {
        for (const m of text.matchAll(re)) {
          found.push(
            originalPositionFor(map, { line: i + 1, column: m.index! }),
          );
        }
      });
      expect(found.length).toBe(original.length);
      for (let i = 0; i < found.length; i++) {
        expect({ line: found[i].line, column: found[i].column }).toEqual(
          original[i],
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(names.length);
  });

  test('parses TypeScript and JSX by the file extension', () => {
    const ts = 'const f = async <T,>(x: T): Promise<T> => await (x as T);';
    expect(transformAwaits(ts, { id: 'a.ts' })?.code).toContain(
      `${runtimeName}.resume(`,
    );
    const tsx = 'const f = async () => <div>{await x}</div>;';
    expect(transformAwaits(tsx, { id: 'a.tsx' })?.code).toContain(
      `${runtimeName}.suspend(`,
    );
    expect(() => transformAwaits('async function (', { id: 'a.js' })).toThrow(
      SyntaxError,
    );
  });

  test('iterate returns the iterable itself without a frame', () => {
    const iterable = [1, 2];
    expect(runtime.iterate(undefined, iterable)).toBe(iterable);
    expect(runtime.resume(undefined, 3)).toBe(3);
    expect(runtime.suspend(undefined, 4)).toBe(4);
    expect(runtime.suspendYield(undefined, 5)).toBe(5);
    expect(runtime.enter()).toBeUndefined();
  });
});

describe('transformAwaits on generated programs', () => {
  const { stmts, fn } = fc.letrec((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('x', 'f()', 'p'),
      tie('expr').map((e) => `await ${e}`),
      tie('expr').map((e) => `(await ${e})`),
      tie('expr').map((e) => `async () => ${e}`),
      tie('expr').map((e) => `async () =>\n  ${e}`),
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `[${a}, ${b}]`),
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a}, ${b})`),
    ),
    stmt: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('expr').map((e) => `${e};`),
      tie('expr').map((e) => `await ${e}\n`),
      fc
        .tuple(tie('expr'), tie('stmt'))
        .map(([e, s]) => `for await (const v of ${e}) ${s}`),
      fc
        .tuple(tie('expr'), tie('stmts'))
        .map(([e, s]) => `L: for await (const w of ${e}) { ${s} continue L; }`),
      fc
        .tuple(tie('expr'), tie('stmt'))
        .map(([e, s]) => `if (a) for await (const z of ${e}) ${s} else ${s}`),
      fc
        .tuple(tie('stmts'), tie('stmts'), tie('stmts'))
        .map(([a, b, c]) => `try { ${a} } catch { ${b} } finally { ${c} }`),
      tie('expr').map((e) => `return ${e};`),
      tie('expr').map((e) => `yield ${e};`),
      tie('fn'),
    ),
    stmts: fc.array(tie('stmt'), { maxLength: 3 }).map((a) => a.join('\n')),
    fn: fc.oneof(
      { depthSize: 'small' },
      tie('stmts').map((s) => `async function* g() { ${s} }`),
      tie('stmts').map((s) => `async function f() { 'use strict'; ${s} }`),
      tie('stmts').map((s) => `class C { async m() { ${s} } }`),
      fc
        .tuple(tie('expr'), tie('stmts'))
        .map(([e, s]) => `const o = { async [${e}]() { ${s} } };`),
      tie('stmts').map((s) => `function h() { ${s} }`),
      tie('stmts').map((s) => `async function k() { var h; ${s} }`),
    ),
  }));

  const parses = (code: string) => {
    try {
      parse(code, { sourceType: 'module', allowReturnOutsideFunction: true });
      return true;
    } catch {
      return false;
    }
  };

  /**
   * Suspension points of rewritten functions (those starting with the
   * frame) that the rewrite missed: each `await`, `yield` and `for await`
   * there must go through the runtime.
   */
  const unguarded = (code: string): Array<string> => {
    const missed: Array<string> = [];
    const isCall = (node: any, name: string) =>
      node?.type === 'CallExpression' &&
      node.callee.type === 'MemberExpression' &&
      node.callee.object.name === runtimeName &&
      node.callee.property.name === name;
    const visit = (node: any, rewritten: boolean) => {
      if (node == null || typeof node.type !== 'string') return;
      if (/Function|Method/.test(node.type) && node.body != null) {
        // a computed key belongs to the enclosing function
        visit(node.key, rewritten);
        node = { ...node, key: undefined };
        rewritten =
          node.async === true &&
          node.body.body?.[0]?.declarations?.[0]?.id?.name === frameName;
      }
      if (rewritten) {
        if (
          node.type === 'AwaitExpression' &&
          !isCall(node.argument, 'suspend')
        ) {
          missed.push(code.slice(node.start, node.end));
        }
        if (
          node.type === 'YieldExpression' &&
          node.argument != null &&
          !isCall(node.argument, 'suspendYield')
        ) {
          missed.push(code.slice(node.start, node.end));
        }
        if (
          node.type === 'ForOfStatement' &&
          node.await &&
          !isCall(node.right, 'iterate')
        ) {
          missed.push(code.slice(node.start, node.end));
        }
      }
      for (const key of Object.keys(node)) {
        if (key === 'loc' || key === 'extra') continue;
        const value = node[key];
        for (const item of Array.isArray(value) ? value : [value]) {
          if (item != null && typeof item === 'object') visit(item, rewritten);
        }
      }
    };
    visit(
      parse(code, { sourceType: 'module', allowReturnOutsideFunction: true }),
      false,
    );
    return missed;
  };

  test('valid input gives valid output with every await kept', () => {
    let rewritten = 0;
    fc.assert(
      fc.property(
        fc.array(fn, { minLength: 1, maxLength: 3 }),
        stmts,
        (fns, top) => {
          const code = `${fns.join('\n')}\n${top}`;
          fc.pre(parses(code));
          const result = transformAwaits(code);
          if (result === undefined) return;
          rewritten++;
          expect(parses(result.code)).toBe(true);
          const awaits = (s: string) => s.match(/\bawait\b/g)?.length ?? 0;
          expect(awaits(result.code)).toBe(awaits(code));
          expect(unguarded(result.code)).toEqual([]);
        },
      ),
      fcParams({ numRuns: 300 }),
    );
    // (a replayed FC_PATH runs one case)
    if (process.env.FC_PATH == null) expect(rewritten).toBeGreaterThan(30);
  });

  test('any string: a result, undefined, or a SyntaxError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .array(
              fc.constantFrom(
                'async ',
                'await ',
                'function',
                '*',
                '(',
                ')',
                '{',
                '}',
                '=>',
                'for await',
                ' of ',
                'x',
                ';',
                '\n',
                'yield',
                'try',
                'catch',
                'finally',
                '`${',
                '/*',
              ),
            )
            .map((a) => a.join('')),
        ),
        (code) => {
          try {
            transformAwaits(code, { id: 'a.tsx' });
          } catch (e) {
            expect(e).toBeInstanceOf(SyntaxError);
          }
        },
      ),
      fcParams({ numRuns: 500 }),
    );
  });
});
