import type Span from '../Span.js';
import type { SpanContext } from '../types.js';
import { getBuiltin } from '../utils/platform.js';

/**
 * The key under which spantrail carries the current span on a
 * `@matrixai/contexts` context object (the `ctx` that also carries `signal`
 * and `timer`). A registered symbol, so that several copies of spantrail
 * agree on it; an own enumerable property, so that the `{ ...ctx }` copies
 * made by `@timed` / `@cancellable` keep it.
 */
const contextSpanKey: unique symbol = Symbol.for('spantrail.span') as any;

type ContextsMap = WeakMap<object, number>;

// Maps registered by hand or loaded from `@matrixai/contexts/utils.js`; more
// than one when a test runner or a bundle holds several module instances
const contextsMaps: Array<ContextsMap> = [];
let loading: Promise<void> | undefined;

function addContextsMap(map: unknown): void {
  if (map instanceof WeakMap && !contextsMaps.includes(map as ContextsMap)) {
    contextsMaps.push(map as ContextsMap);
  }
}

/**
 * Loads the `@context` registry of `@matrixai/contexts` if the package can
 * be found. The specifier is computed so that bundlers leave it alone:
 * `@matrixai/contexts` imports `node:perf_hooks`, which a browser build must
 * not contain. Where it cannot be loaded (browsers, unless an import map
 * provides it) use {@link registerContexts}.
 *
 * Node (>= 20.19) loads it synchronously through `require(esm)`, which
 * shares the module instance the program imported, so methods traced at
 * start-up see their `@context` parameter from the first call. Elsewhere it
 * falls back to a dynamic `import()`: calls made before that resolves see
 * no `@context` parameter and fall back to the active span.
 *
 * Starts when the first traced method is decorated; resolves once loading
 * was tried.
 */
function contextsReady(): Promise<void> {
  if (loading === undefined) {
    const specifier = ['@matrixai', 'contexts', 'utils.js'].join('/');
    try {
      // resolved by URL: the package's exports map has no require condition
      const url = (import.meta as any).resolve?.(specifier);
      const path = getBuiltin('node:url')?.fileURLToPath(url);
      const require = getBuiltin('node:module')?.createRequire(url);
      if (path != null) addContextsMap(require?.(path)?.contexts);
    } catch {
      // no import.meta.resolve or require(esm) here: import() below works
    }
    loading = import(
      /* webpackIgnore: true */ /* @vite-ignore */ specifier
    ).then(
      (m: any) => addContextsMap(m?.contexts),
      () => undefined,
    );
  }
  return loading;
}

/**
 * Tells spantrail where `@matrixai/contexts` records `@context` parameters:
 * pass the `contexts` WeakMap of `@matrixai/contexts/utils.js`. Only needed
 * where spantrail cannot import that package itself (browser bundles); in
 * Node, Deno and Bun it is loaded automatically, see
 * {@link contextsReady}.
 */
function registerContexts(contexts: WeakMap<object, number>): void {
  if (!isWeakMap(contexts)) {
    throw new TypeError('registerContexts: expected the contexts WeakMap');
  }
  addContextsMap(contexts);
}

/** Whether `value` is a WeakMap; a Proxy whose traps throw is not. */
function isWeakMap(value: unknown): value is WeakMap<object, number> {
  try {
    return value instanceof WeakMap;
  } catch {
    return false;
  }
}

/**
 * The index of `method`'s `@context` parameter, or undefined when it has
 * none (or `@matrixai/contexts` is not loaded yet).
 *
 * `method` must be the function the `@context` decorator saw: the method as
 * written, i.e. `target[key]` while the method decorators run, not
 * `descriptor.value`, which may already be another decorator's wrapper.
 * Look it up on each call rather than caching the result at decoration time:
 * the registry is loaded asynchronously (a WeakMap lookup is cheap).
 */
function getContextParameterIndex(method: unknown): number | undefined {
  if (typeof method !== 'function') return undefined;
  if (loading === undefined) void contextsReady();
  for (let i = 0; i < contextsMaps.length; i++) {
    const index = contextsMaps[i].get(method);
    if (typeof index === 'number') return index;
  }
  return undefined;
}

/**
 * The span (or remote span context) carried by the context object `ctx`, if
 * any: the parent for a traced callee that receives `ctx`.
 */
function spanFromContextObject(ctx: unknown): Span | SpanContext | undefined {
  if (typeof ctx !== 'object' || ctx === null) return undefined;
  let span: unknown;
  try {
    span = (ctx as any)[contextSpanKey];
  } catch {
    // a Proxy or getter that throws carries no span
    return undefined;
  }
  return typeof span === 'object' && span !== null
    ? (span as Span | SpanContext)
    : undefined;
}

/**
 * A copy of the context object `ctx` that carries `span` (a new object when
 * `ctx` is undefined). The caller's object is never changed: its later calls
 * must keep their own parent. The copy is a spread, as `@timed` and
 * `@cancellable` make, so `signal`, `timer` and other own keys, symbols
 * included, survive.
 */
function withContextSpan<T extends object>(
  ctx: T | undefined,
  span: Span | SpanContext,
): T & { [contextSpanKey]: Span | SpanContext } {
  let copy: any = {};
  if (typeof ctx === 'object' && ctx !== null) {
    try {
      copy = { ...ctx };
    } catch {
      // a context that cannot be copied (a revoked Proxy): a fresh one
    }
  }
  copy[contextSpanKey] = span;
  return copy;
}

/**
 * Registers `to` (a wrapper of `from`) with the `@context` index of `from`,
 * so that `@timed` / `@cancellable` applied on top of a traced wrapper still
 * find the parameter. Does nothing when `from` has none.
 */
function copyContextParameterIndex(from: unknown, to: object): void {
  if (typeof from !== 'function') return;
  for (let i = 0; i < contextsMaps.length; i++) {
    const index = contextsMaps[i].get(from);
    if (typeof index === 'number' && !contextsMaps[i].has(to)) {
      contextsMaps[i].set(to, index);
    }
  }
}

export {
  contextSpanKey,
  registerContexts,
  contextsReady,
  getContextParameterIndex,
  spanFromContextObject,
  withContextSpan,
  copyContextParameterIndex,
};
