import type Tracer from '../Tracer.js';
import { hasMethod } from '../utils/attributes.js';
import type { InstrumentConfig, Kind } from './patchAsyncInit.js';
import { getBuiltin } from '../utils/platform.js';
import { patchDecorator, patchExports, patchReady } from './patchAsyncInit.js';

type InstrumentAsyncInitOptions = {
  /** Give every `@ready` method a span too (default false). */
  ready?: boolean;
  /** Patch CommonJS builds (async-init 1.x) through `require` (default true). */
  commonjs?: boolean;
  /**
   * Patch ESM builds (async-init 2.x) through Node's module customization
   * hooks (default true). Only modules loaded afterwards are patched.
   */
  esm?: boolean;
};

/** Undoes {@link instrumentAsyncInit} for classes decorated afterwards. */
type Instrumentation = {
  readonly tracer: Tracer;
  uninstrument(): void;
};

const registryKey = Symbol.for('spantrail.asyncInit');
let hooksRegistered = false;

function isAsyncInitPath(value: unknown): boolean {
  return typeof value === 'string' && /async-init/.test(value);
}

/**
 * Patches `@matrixai/async-init` so that every class it decorates from now
 * on gets lifecycle spans (and, with `ready: true`, every `@ready` method a
 * span), as `@Traceable` gives: CommonJS builds (1.x, as used by
 * `@matrixai/db`, `@matrixai/ws`, `polykey`) through a `require` hook, ESM
 * builds (2.x) through `module.register`. Call it before the program loads
 * its modules; `node --import spantrail/register` does.
 */
function instrumentAsyncInit(
  tracer: Tracer,
  options: InstrumentAsyncInitOptions = {},
): Instrumentation {
  if (!hasMethod(tracer, 'startSpan')) {
    throw new TypeError('instrumentAsyncInit: expected a tracer');
  }
  let ready: unknown;
  try {
    ready = options?.ready;
  } catch {
    throw new TypeError('instrumentAsyncInit: options cannot be read');
  }
  const config: InstrumentConfig = {
    tracer,
    ready: ready === true,
    enabled: true,
  };
  const g = globalThis as any;
  // the ESM patch asks whoever instrumented last
  g[registryKey] = {
    config,
    decorator: (factory: any, kind: Kind) =>
      patchDecorator(factory, kind, config),
    ready: (factory: any) => patchReady(factory, config),
  };
  let restoreLoad: (() => void) | undefined;
  const Module = getBuiltin('node:module');
  if (options.commonjs !== false && Module != null) {
    const M = Module.Module ?? Module;
    for (const [filename, cached] of Object.entries<any>(M._cache ?? {})) {
      if (isAsyncInitPath(filename)) patchExports(cached?.exports, config);
    }
    const originalLoad = M._load;
    if (typeof originalLoad === 'function') {
      const load = function (this: unknown, request: unknown, parent: any) {
        // eslint-disable-next-line prefer-rest-params
        const exports = originalLoad.apply(this, arguments);
        if (
          config.enabled &&
          (isAsyncInitPath(request) || isAsyncInitPath(parent?.filename))
        ) {
          try {
            patchExports(exports, config);
          } catch {
            // never break the program's require
          }
        }
        return exports;
      };
      M._load = load;
      restoreLoad = () => {
        if (M._load === load) M._load = originalLoad;
      };
    }
  }
  if (
    options.esm !== false &&
    !hooksRegistered &&
    typeof Module?.register === 'function'
  ) {
    hooksRegistered = true;
    Module.register(new URL('./loaderHooks.js', import.meta.url).href);
  }
  return {
    tracer,
    uninstrument() {
      config.enabled = false;
      restoreLoad?.();
      if (g[registryKey]?.config === config) delete g[registryKey];
    },
  };
}

export default instrumentAsyncInit;
export type { InstrumentAsyncInitOptions, Instrumentation };
