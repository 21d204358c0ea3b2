/**
 * The await transform: rewrites the `await`s (and the other points where an
 * async function suspends) of one source file so that the shim's active
 * span before each suspension is active again after it. Parsed with
 * `@babel/parser` (JavaScript, TypeScript, JSX), edited with `magic-string`
 * so that the source map points every unchanged character at its origin.
 * What it emits is described in `./runtime.ts`.
 *
 * @module
 */
import type { SourceMap } from 'magic-string';
import { parse } from '@babel/parser';
import MagicString from 'magic-string';

/** The identifiers the transform adds to a file. */
const runtimeName = '__spantrail';
const frameName = '__spantrail$f';
/** Where the injected import takes the runtime from. */
const defaultRuntime = 'spantrail/bundler/runtime';

type Node = {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
};

/** An async function being walked. */
type Fn = {
  node: Node;
  generator: boolean;
  /** Whether it suspends anywhere (an await, `for await`, a yield). */
  used: boolean;
};

type TransformOptions = {
  /** The module the injected import reads the runtime from. */
  runtime?: string;
  /** The file's path, for the parser's language and the source map. */
  id?: string;
};

type TransformResult = {
  code: string;
  map: SourceMap;
};

const functionTypes = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

const skippedKeys = new Set([
  'loc',
  'extra',
  'leadingComments',
  'trailingComments',
  'innerComments',
  'typeAnnotation',
  'returnType',
  'typeParameters',
]);

/** The names a binding pattern declares. */
function patternNames(pattern: Node | null | undefined): Array<string> {
  if (pattern == null) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p: Node) =>
        patternNames(p.type === 'RestElement' ? p.argument : p.value),
      );
    case 'ArrayPattern':
      return pattern.elements.flatMap((e: Node | null) => patternNames(e));
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    case 'RestElement':
      return patternNames(pattern.argument);
    default:
      return [];
  }
}

/**
 * Quick test that a file may have something to rewrite, before parsing it.
 */
function mayNeedTransform(code: string): boolean {
  return code.includes('async');
}

/**
 * The options read once; a `TypeError` when they cannot be read or `id` or
 * `runtime` is not a string.
 */
function readTransformOptions(options: TransformOptions): TransformOptions {
  let id: unknown;
  let runtime: unknown;
  try {
    ({ id, runtime } = options ?? {});
  } catch {
    throw new TypeError('transformAwaits: the options cannot be read');
  }
  for (const [name, value] of [
    ['id', id],
    ['runtime', runtime],
  ] as const) {
    if (value != null && typeof value !== 'string') {
      throw new TypeError(`${name}: expected a string, got ${typeof value}`);
    }
  }
  return {
    id: id as string | undefined,
    runtime: runtime as string | undefined,
  };
}

function parserPlugins(id: string | undefined): Array<any> {
  const ext = /\.([cm]?[jt]sx?)$/.exec(id ?? '')?.[1] ?? 'js';
  if (ext.includes('ts')) {
    return ext.endsWith('x') ? ['typescript', 'jsx'] : ['typescript'];
  }
  return ['jsx'];
}

/**
 * Rewrites the async functions of `code`. Returns undefined when there is
 * nothing to rewrite (no async function that suspends), so the caller keeps
 * the file as it is. Throws the parser's `SyntaxError` on code it cannot
 * parse, and a `TypeError` when `code` is not a string.
 */
function transformAwaits(
  code: string,
  options: TransformOptions = {},
): TransformResult | undefined {
  if (typeof code !== 'string') {
    throw new TypeError(`code: expected a string, got ${typeof code}`);
  }
  const { id, runtime } = readTransformOptions(options);
  if (!mayNeedTransform(code)) return undefined;
  const ast = parse(code, {
    sourceType: 'module',
    plugins: parserPlugins(id),
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowUndeclaredExports: true,
  }) as unknown as { program: Node };
  const s = new MagicString(code);
  const r = runtimeName;
  const f = frameName;
  let changed = false;
  const fns: Array<Fn> = [];
  const ancestors: Array<Node> = [];

  const open = (at: number, text: string) => s.appendRight(at, text);
  const close = (at: number, text: string) => s.prependLeft(at, text);

  /** The innermost function, when it is async. */
  const current = (): Fn | undefined => {
    const fn = fns[fns.length - 1];
    return fn?.node.async === true ? fn : undefined;
  };

  function visitFunction(node: Node) {
    // a computed key and decorators run in the enclosing function
    walk(node.key);
    for (const decorator of node.decorators ?? []) walk(decorator);
    const fn: Fn = { node, generator: node.generator === true, used: false };
    if (node.async === true && node.body != null) {
      // decide first whether it suspends, so its wrapper opens before the
      // edits of its children at the same positions
      fn.used = suspends(node.body) && !clashes(node.body);
      if (fn.used && !wrapBody(node)) fn.used = false;
    }
    fns.push(fn);
    for (const param of node.params ?? []) walk(param);
    walk(node.body);
    fns.pop();
  }

  /** Puts the body in `const $f = enter(); try { … } finally { exit($f) }`. */
  function wrapBody(node: Node): boolean {
    const body = node.body as Node;
    const head = `const ${f} = ${r}.enter(); try { `;
    const tail = ` } finally { ${r}.exit(${f}); }`;
    if (body.type === 'BlockStatement') {
      const directives: Array<Node> = body.directives ?? [];
      const at =
        directives.length > 0
          ? directives[directives.length - 1].end
          : body.start + 1;
      open(at, head);
      close(body.end - 1, tail);
      return true;
    }
    // an expression body: `=> e` becomes `=> { …; try { return e } … }`
    let at = body.extra?.parenStart ?? body.start;
    while (at > 0 && /[\s(]/.test(code[at - 1])) at--;
    if (code.slice(at - 2, at) !== '=>') return false;
    open(at, ` { ${head}`);
    // `return` right before the expression: a line break after it would
    // end the statement
    let first = at;
    while (/\s/.test(code[first])) first++;
    open(first, 'return ');
    close(node.end, `${tail} }`);
    return true;
  }

  function walk(node: Node | undefined) {
    if (node == null || typeof node.type !== 'string') return;
    if (functionTypes.has(node.type)) {
      visitFunction(node);
      return;
    }
    const fn = current();
    if (fn?.used) rewrite(node, fn);
    ancestors.push(node);
    for (const key of Object.keys(node)) {
      if (skippedKeys.has(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) {
          if (item != null && typeof item.type === 'string') walk(item);
        }
      } else if (value != null && typeof value.type === 'string') {
        walk(value);
      }
    }
    ancestors.pop();
  }

  function rewrite(node: Node, fn: Fn) {
    switch (node.type) {
      case 'AwaitExpression':
        changed = true;
        open(node.start, `${r}.resume(${f}, `);
        open(node.argument.start, `${r}.suspend(${f}, `);
        close(node.argument.end, ')');
        close(node.end, ')');
        return;
      case 'YieldExpression':
        if (!fn.generator) return;
        changed = true;
        if (node.argument == null) {
          open(node.start, `${r}.resume(${f}, (${r}.suspendYield(${f}), `);
          close(node.end, '))');
        } else {
          open(node.start, `${r}.resume(${f}, `);
          open(node.argument.start, `${r}.suspendYield(${f}, `);
          close(node.argument.end, ')');
          close(node.end, ')');
        }
        return;
      case 'ReturnStatement':
        // an async generator awaits the value it returns
        if (!fn.generator || node.argument == null) return;
        changed = true;
        open(node.argument.start, `${r}.suspend(${f}, `);
        close(node.argument.end, ')');
        return;
      case 'ForOfStatement': {
        if (node.await !== true) return;
        changed = true;
        // a labelled loop keeps its labels next to it
        let outer = node;
        for (let i = ancestors.length - 1; i >= 0; i--) {
          if (ancestors[i].type !== 'LabeledStatement') break;
          outer = ancestors[i];
        }
        open(outer.start, '{ ');
        close(outer.end, ` ${r}.resume(${f}); }`);
        open(node.right.start, `${r}.iterate(${f}, `);
        close(node.right.end, ')');
        const body = node.body as Node;
        if (body.type === 'BlockStatement') {
          open(body.start + 1, ` ${r}.resume(${f});`);
        } else {
          open(body.start, `{ ${r}.resume(${f}); `);
          close(body.end, ' }');
        }
        return;
      }
      case 'CatchClause':
        changed = true;
        open(node.body.start + 1, ` ${r}.resume(${f});`);
        return;
      case 'TryStatement':
        if (node.finalizer == null) return;
        changed = true;
        open(node.finalizer.start + 1, ` ${r}.resume(${f});`);
        return;
    }
  }

  /**
   * Whether moving the body into a `try` block would make it invalid: a
   * function declared twice at its top level, or also declared with `var`,
   * is allowed there but not in a block. Such a function is left as it is
   * (missing parents, never wrong ones).
   */
  function clashes(body: Node): boolean {
    if (body.type !== 'BlockStatement') return false;
    const fnNames = new Set<string>();
    for (const statement of body.body as Array<Node>) {
      if (statement.type !== 'FunctionDeclaration') continue;
      const name: string = statement.id?.name;
      if (fnNames.has(name)) return true;
      fnNames.add(name);
    }
    if (fnNames.size === 0) return false;
    const stack: Array<Node> = [body];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'VariableDeclaration' && node.kind === 'var') {
        for (const d of node.declarations) {
          for (const name of patternNames(d.id)) {
            if (fnNames.has(name)) return true;
          }
        }
      }
      for (const key of Object.keys(node)) {
        if (skippedKeys.has(key)) continue;
        const value = node[key];
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          if (
            item != null &&
            typeof item.type === 'string' &&
            !functionTypes.has(item.type)
          ) {
            stack.push(item);
          }
        }
      }
    }
    return false;
  }

  /** Whether `root` (a function body) suspends, not counting inner functions. */
  function suspends(root: Node): boolean {
    const stack: Array<Node> = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (
        node.type === 'AwaitExpression' ||
        node.type === 'YieldExpression' ||
        (node.type === 'ForOfStatement' && node.await === true)
      ) {
        return true;
      }
      for (const key of Object.keys(node)) {
        if (skippedKeys.has(key)) continue;
        const value = node[key];
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          if (item == null || typeof item.type !== 'string') continue;
          if (!functionTypes.has(item.type)) stack.push(item);
          else {
            // a computed key and decorators run in the enclosing function
            if (item.key != null) stack.push(item.key);
            stack.push(...(item.decorators ?? []));
          }
        }
      }
    }
    return false;
  }

  walk(ast.program);
  if (!changed) return undefined;
  const from = JSON.stringify(runtime ?? defaultRuntime);
  // on the first line (after a hashbang), so that line numbers stay
  const importAt: number = ast.program.interpreter?.end ?? 0;
  s.appendLeft(
    importAt,
    `${importAt > 0 ? '\n' : ''}import * as ${r} from ${from}; `,
  );
  return {
    code: s.toString(),
    map: s.generateMap({
      source: id,
      includeContent: true,
      hires: true,
    }),
  };
}

export type { TransformOptions, TransformResult };
export {
  transformAwaits,
  mayNeedTransform,
  runtimeName,
  frameName,
  defaultRuntime,
};
