import type Span from '../Span.js';
import Tracer from '../Tracer.js';
import type { Attributes, ParentInput, SpanKindValue } from '../types.js';
import type { TracedAttributes } from './types.js';
import { runInSpan } from '../results/endWhenDone.js';
import { getTracer } from '../global.js';
import { getObjectSpan } from '../context/objectContext.js';
import {
  contextsReady,
  copyContextParameterIndex,
  getContextParameterIndex,
  spanFromContextObject,
  withContextSpan,
} from '../context/explicitContext.js';
import { tracedMarker } from './markers.js';

/** What a traced wrapper needs to know; built once per method. */
type WrapSpec = {
  /** Span name; undefined until {@link WrapSpec.resolveName} finds it. */
  name: string | undefined;
  /** Finds the name on the first call (standard decorators). */
  resolveName?: (self: unknown) => string | undefined;
  kind?: SpanKindValue;
  attributes?: TracedAttributes;
  onResult?: (span: Span, result: unknown) => void;
  root?: boolean;
  tracer?: Tracer;
  /** The function `@context` registered: the method as written. */
  contextKey?: unknown;
  /** Its `@context` parameter index, once found. */
  contextIndex?: number;
};

/**
 * Wraps `method` so that each call runs in a span. One wrapper serves every
 * shape of method: the result decides when the span ends (see
 * `endWhenDone`). With a disabled tracer it calls `method` directly.
 */
function wrapTraced<F extends (...args: Array<any>) => any>(
  method: F,
  spec: WrapSpec,
): F {
  const wrapped = function (this: unknown) {
    const tracer = spec.tracer ?? getTracer();
    // eslint-disable-next-line prefer-rest-params
    if (!tracer.enabled) return method.apply(this, arguments as any);
    // eslint-disable-next-line prefer-rest-params
    return invokeTraced(tracer, spec, method, this, arguments);
  };
  keepIdentity(wrapped, method, spec.contextKey);
  return wrapped as unknown as F;
}

/**
 * Runs one traced call. Parent, in order: a new trace for `root`, the span
 * of the `@context` argument, the active span, the span bound to `self`.
 */
function invokeTraced(
  tracer: Tracer,
  spec: WrapSpec,
  method: (...args: Array<any>) => any,
  self: unknown,
  args: ArrayLike<unknown>,
): any {
  let span: Span | undefined;
  let callArgs: ArrayLike<unknown>;
  try {
    let name = spec.name;
    if (name === undefined) {
      name = spec.resolveName?.(self);
      if (name === undefined) name = method.name || 'anonymous';
      else spec.name = name;
    }
    let index = spec.contextIndex;
    if (index === undefined && spec.contextKey !== undefined) {
      // a found index never changes; none yet may mean contexts still loads
      index = spec.contextIndex = getContextParameterIndex(spec.contextKey);
    }
    let parent: ParentInput;
    if (spec.root === true) {
      parent = null;
    } else {
      // the active span is exact wherever it is known; a context object may
      // have been kept beyond its call, so it only fills in where the active
      // span is lost (the shim after an await)
      parent = tracer.context.active();
      if (parent === undefined && index !== undefined) {
        parent = spanFromContextObject(args[index]);
      }
      if (parent === undefined) parent = getObjectSpan(self);
    }
    let attributes: Attributes | undefined;
    if (spec.attributes !== undefined) {
      attributes =
        typeof spec.attributes === 'function'
          ? safeAttributes(spec.attributes, self, args)
          : spec.attributes;
    }
    // the tracer's own entry spares an options object per call; a tracer
    // that overrides `startSpan`, or another object with one, gets its call
    span =
      tracer.startSpan === Tracer.prototype.startSpan
        ? tracer.beginSpan(name, parent, spec.kind, attributes, null, undefined)
        : tracer.startSpan(name, { parent, kind: spec.kind, attributes });
    callArgs = args;
    if (index !== undefined) {
      // the caller's ctx keeps its own parent for its later calls
      const copy = Array.prototype.slice.call(args);
      copy[index] = withContextSpan(args[index] as object | undefined, span);
      callArgs = copy;
    }
  } catch {
    // a hostile `this` or argument (a revoked Proxy) must not stop the
    // call: it runs untraced
    span?.end();
    return method.apply(self, args as Array<unknown>);
  }
  return runInSpan(span, method, self, callArgs, spec.onResult);
}

function safeAttributes(
  fn: (self: any, args: ReadonlyArray<any>) => Attributes | undefined,
  self: unknown,
  args: ArrayLike<unknown>,
): Attributes | undefined {
  try {
    // a copy: `arguments` would let the function rewrite the call's
    // parameters, and it is no array (`args.map` would throw)
    return fn(self, Array.prototype.slice.call(args));
  } catch {
    // a broken attribute function must not break the traced call
    return undefined;
  }
}

const skippedProperties = new Set<string | symbol>([
  'length',
  'name',
  'prototype',
  'arguments',
  'caller',
]);

/**
 * Makes `wrapped` look like `original`: `name`, `length`, own properties
 * other decorators put on the function, reflect-metadata kept on it, and
 * the `@context` registration of `@matrixai/contexts`.
 */
function keepIdentity(
  wrapped: (...args: Array<any>) => any,
  original: (...args: Array<any>) => any,
  contextKey?: unknown,
): void {
  Object.defineProperty(wrapped, 'name', {
    value: original.name,
    configurable: true,
  });
  Object.defineProperty(wrapped, 'length', {
    value: original.length,
    configurable: true,
  });
  for (const key of Reflect.ownKeys(original)) {
    if (skippedProperties.has(key) || key === tracedMarker) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key)!;
    try {
      Object.defineProperty(wrapped, key, descriptor);
    } catch {
      // an odd non-configurable property; the wrapper still works
    }
  }
  const reflect = Reflect as any;
  if (
    typeof reflect.getOwnMetadataKeys === 'function' &&
    typeof reflect.defineMetadata === 'function'
  ) {
    for (const key of reflect.getOwnMetadataKeys(original)) {
      reflect.defineMetadata(
        key,
        reflect.getOwnMetadata(key, original),
        wrapped,
      );
    }
  }
  Object.defineProperty(wrapped, tracedMarker, { value: original });
  const from = contextKey ?? original;
  if (getContextParameterIndex(from) !== undefined) {
    copyContextParameterIndex(from, wrapped);
  } else {
    // `@matrixai/contexts` loads asynchronously; copy once it is there
    void contextsReady().then(() => copyContextParameterIndex(from, wrapped));
  }
}

export { wrapTraced, invokeTraced, keepIdentity };
export type { WrapSpec };
