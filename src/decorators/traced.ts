import type { DualMethodDecorator, TracedOptions } from '../methods/types.js';
import type { WrapSpec } from '../methods/wrap.js';
import { wrapTraced } from '../methods/wrap.js';
import { isTraced } from '../methods/markers.js';
import { accessorPrefix, keyName, methodSpanName } from '../methods/names.js';

type StandardContext = {
  kind: string;
  name: string | symbol;
  static?: boolean;
  private?: boolean;
};

function isStandardContext(value: unknown): value is StandardContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as any).kind === 'string' &&
    'name' in value
  );
}

/**
 * Finds the class that declares `wrapped` under `key`, walking up from
 * `self` (an instance, or the class for static methods). Standard
 * decorators do not tell a method decorator its class, so the name is
 * found on the first call.
 */
function declaringClassName(
  self: unknown,
  key: string | symbol,
  wrapped: unknown,
  isStatic: boolean,
): string | undefined {
  if (self == null) return undefined;
  let o: any = isStatic ? self : Object.getPrototypeOf(self);
  for (; o != null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d === undefined) continue;
    if (d.value === wrapped || d.get === wrapped || d.set === wrapped) {
      return isStatic ? o.name : o.constructor?.name;
    }
  }
  return undefined;
}

/**
 * The options read once, at decoration. Options that cannot be read, or an
 * `onResult` that is not a function, throw the documented TypeError here
 * rather than on a call.
 */
function makeSpec(options: TracedOptions, name: string | undefined): WrapSpec {
  let spec: WrapSpec;
  try {
    spec = {
      name: options.name ?? name,
      kind: options.kind,
      attributes: options.attributes,
      onResult: options.onResult,
      root: options.root,
      tracer: options.tracer,
    };
  } catch {
    throw new TypeError('traced: the options cannot be read');
  }
  if (spec.onResult != null && typeof spec.onResult !== 'function') {
    throw new TypeError('traced: onResult must be a function');
  }
  if (
    spec.tracer != null &&
    typeof (spec.tracer as { startSpan?: unknown }).startSpan !== 'function'
  ) {
    throw new TypeError('traced: tracer must be a Tracer');
  }
  return spec;
}

/**
 * Method decorator: each call of the method runs in a span named
 * `Class.method` (or `options.name`), ended when a sync call returns or
 * throws, a promise settles, or a generator finishes, throws or is closed.
 * Failures are recorded (status ERROR) and rethrown unchanged.
 *
 * Works with `experimentalDecorators` and with standard decorators, on
 * methods, static methods and accessors.
 *
 * ```ts
 * class Service {
 *   @traced()
 *   async handle(req: Request) { ... }
 *   @traced({ attributes: (_self, [id]) => ({ id }) })
 *   *rows(id: string) { ... }
 * }
 * ```
 */
function traced(nameOrOptions?: string | TracedOptions): DualMethodDecorator {
  const options: TracedOptions =
    typeof nameOrOptions === 'string'
      ? { name: nameOrOptions }
      : (nameOrOptions ?? {});
  if (options == null || typeof options !== 'object') {
    throw new TypeError('traced: expected a name or an options object');
  }
  return function (target: any, keyOrContext: any, descriptor?: any): any {
    if (isStandardContext(keyOrContext)) {
      const context = keyOrContext;
      if (
        context.kind !== 'method' &&
        context.kind !== 'getter' &&
        context.kind !== 'setter'
      ) {
        throw new TypeError(
          `traced: cannot decorate a ${context.kind} (${keyName(context.name)})`,
        );
      }
      if (typeof target !== 'function' || isTraced(target)) return target;
      const isStatic = context.static === true;
      const label = accessorPrefix(context.kind) + keyName(context.name);
      const spec = makeSpec(options, undefined);
      const wrapped = wrapTraced(target, spec);
      if (spec.name === undefined) {
        spec.resolveName = (self) => {
          const cls = context.private
            ? isStatic
              ? (self as any)?.name
              : (self as any)?.constructor?.name
            : declaringClassName(self, context.name, wrapped, isStatic);
          return cls === undefined ? undefined : `${cls}.${label}`;
        };
      }
      return wrapped;
    }
    // experimentalDecorators: (prototype or class, key, descriptor)
    const key: string | symbol = keyOrContext;
    if (descriptor == null) {
      throw new TypeError(
        `traced: ${keyName(key)} is a field, not a method or accessor`,
      );
    }
    const className =
      typeof target === 'function' ? target.name : target?.constructor?.name;
    // `@context` registered the method as written; decorators below this
    // one may already have replaced descriptor.value
    const written = Object.getOwnPropertyDescriptor(target, key)?.value;
    for (const kind of ['value', 'get', 'set'] as const) {
      const fn = descriptor[kind];
      if (typeof fn !== 'function' || isTraced(fn)) continue;
      const spec = makeSpec(options, methodSpanName(className, kind, key));
      if (kind === 'value') spec.contextKey = written;
      descriptor[kind] = wrapTraced(fn, spec);
    }
    return descriptor;
  } as DualMethodDecorator;
}

export default traced;
