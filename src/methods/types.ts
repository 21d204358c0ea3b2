import type Span from '../Span.js';
import type Tracer from '../Tracer.js';
import type { Attributes, SpanKindValue } from '../types.js';

/**
 * Attributes of a traced call: fixed, or computed from `this` and the
 * arguments (a real array, so `(_self, [id]) => ({ id })` destructures).
 * Nothing from the arguments is recorded unless this function reads it.
 */
type TracedAttributes =
  | Attributes
  | ((self: any, args: ReadonlyArray<any>) => Attributes | undefined);

type TracedOptions = {
  /** Span name; default `Class.method`. */
  name?: string;
  kind?: SpanKindValue;
  attributes?: TracedAttributes;
  /**
   * Called with the span and the result (the resolved value of a promise,
   * the return value of a generator) just before the span ends.
   */
  onResult?: (span: Span, result: unknown) => void;
  /** Start a new trace instead of joining the active one. */
  root?: boolean;
  /** Default: the global tracer, looked up on every call. */
  tracer?: Tracer;
};

type TraceableOptions = {
  /** Class name used in span names; default: the class's `name`. */
  name?: string;
  /** Trace only these methods (own or inherited, static or not). */
  include?: Array<string | symbol>;
  /** Never trace these methods. */
  exclude?: Array<string | symbol>;
  /** Trace getters and setters too (default false). */
  accessors?: boolean;
  /** Trace static methods too (default true). */
  statics?: boolean;
  /** Lifecycle spans for `@matrixai/async-init` classes (default true). */
  lifecycle?: boolean;
  kind?: SpanKindValue;
  /** Default: the global tracer, looked up on every call. */
  tracer?: Tracer;
};

/**
 * The legacy (`experimentalDecorators`) and the standard (TypeScript 5)
 * signatures of a method decorator; the dialect is told apart at runtime.
 */
type DualMethodDecorator = {
  <T>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T> | void;
  <F extends (this: any, ...args: Array<any>) => any>(
    value: F,
    context:
      | ClassMethodDecoratorContext<any, F>
      | ClassGetterDecoratorContext<any, any>
      | ClassSetterDecoratorContext<any, any>,
  ): F | void;
};

/** The legacy and the standard signatures of a class decorator. */
type DualClassDecorator = {
  <C extends abstract new (...args: Array<any>) => any>(constructor: C): C;
  <C extends abstract new (...args: Array<any>) => any>(
    value: C,
    context: ClassDecoratorContext<C>,
  ): C;
};

export type {
  TracedAttributes,
  TracedOptions,
  TraceableOptions,
  DualMethodDecorator,
  DualClassDecorator,
};
