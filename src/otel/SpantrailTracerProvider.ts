import type {
  TextMapPropagator,
  Tracer as OtelTracerApi,
  TracerOptions as OtelTracerOptions,
  TracerProvider,
} from '@opentelemetry/api';
import type { TracerOptions } from '../types.js';
import { context, propagation, trace } from './api.js';
import Tracer from '../Tracer.js';
import { setTracer } from '../global.js';
import BridgeContextManager from './BridgeContextManager.js';
import OtelTracer from './OtelTracer.js';
import TraceContextPropagator from './TraceContextPropagator.js';

type RegisterOptions = {
  /**
   * The propagator to install; default W3C Trace Context. `null` leaves
   * the global propagator alone.
   */
  propagator?: TextMapPropagator | null;
  /** Also make the tracer spantrail's global one (`setTracer`); default true. */
  setGlobalTracer?: boolean;
};

/**
 * An OpenTelemetry `TracerProvider` backed by a spantrail {@link Tracer}:
 * once registered, spans made through `@opentelemetry/api` (by
 * instrumentations, or by hand) are spantrail spans, in the same outputs
 * and the same trees as the decorated code around them.
 *
 * ```ts
 * const provider = new SpantrailTracerProvider({ output: 'trace.jsonl' });
 * provider.register();
 * ```
 *
 * The tracer must use a {@link BridgeContextManager} (one is made when
 * options are given), so that OpenTelemetry's active context and
 * spantrail's active span are one and the same.
 */
class SpantrailTracerProvider implements TracerProvider {
  public readonly tracer: Tracer;
  public readonly contextManager: BridgeContextManager;
  protected tracers: Map<string, OtelTracer> = new Map();

  public constructor(tracerOrOptions: Tracer | TracerOptions = {}) {
    if (isTracer(tracerOrOptions)) {
      this.tracer = tracerOrOptions;
    } else {
      if (tracerOrOptions == null || typeof tracerOrOptions !== 'object') {
        throw new TypeError(
          'SpantrailTracerProvider: expected a Tracer or tracer options',
        );
      }
      let options: TracerOptions;
      try {
        options = { ...tracerOrOptions };
      } catch {
        throw new TypeError('SpantrailTracerProvider: options cannot be read');
      }
      this.tracer = new Tracer({
        ...options,
        context: options.context ?? new BridgeContextManager(),
      });
    }
    const manager = this.tracer.context;
    if (!(manager instanceof BridgeContextManager)) {
      throw new TypeError(
        'SpantrailTracerProvider: the tracer must be made with ' +
          '`context: new BridgeContextManager()` (from spantrail/otel), so ' +
          'that OpenTelemetry and spantrail share the active span',
      );
    }
    this.contextManager = manager;
  }

  /**
   * The tracer of an instrumentation scope. A name that is not a non-empty
   * string is `'unknown'`; a version or schema URL that is not a string is
   * left out.
   */
  public getTracer(
    name: string,
    version?: string,
    options?: OtelTracerOptions,
  ): OtelTracerApi {
    const scopeName =
      typeof name === 'string' && name !== '' ? name : 'unknown';
    const scopeVersion = typeof version === 'string' ? version : undefined;
    let schemaUrl: unknown;
    try {
      schemaUrl = options?.schemaUrl;
    } catch {
      // options that cannot be read name no schema
    }
    if (typeof schemaUrl !== 'string') schemaUrl = undefined;
    // a JSON array: no two scopes share a key whatever their text holds
    const key = JSON.stringify([scopeName, scopeVersion, schemaUrl]);
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new OtelTracer(this.tracer, {
        name: scopeName,
        version: scopeVersion,
        schemaUrl: schemaUrl as string | undefined,
      });
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /**
   * Makes this provider, its context manager and (by default) the W3C
   * propagator OpenTelemetry's globals, and the tracer spantrail's global
   * one. Returns false when OpenTelemetry already had another provider or
   * context manager (its globals are set once; call `unregister()` first).
   */
  public register(options: RegisterOptions = {}): boolean {
    let propagator: TextMapPropagator | null | undefined;
    let setGlobalTracer: unknown;
    try {
      ({ propagator, setGlobalTracer } = options ?? {});
    } catch {
      throw new TypeError('register: options cannot be read');
    }
    let ok = trace.setGlobalTracerProvider(this);
    ok = context.setGlobalContextManager(this.contextManager.otel) && ok;
    if (propagator !== null) {
      ok =
        propagation.setGlobalPropagator(
          propagator ?? new TraceContextPropagator(),
        ) && ok;
    }
    if (setGlobalTracer !== false) setTracer(this.tracer);
    return ok;
  }

  /** Removes OpenTelemetry's globals (all of them, whoever set them). */
  public unregister(): void {
    trace.disable();
    context.disable();
    propagation.disable();
  }

  /** Writes what the tracer's outputs hold. */
  public forceFlush(): Promise<void> {
    return this.tracer.flush();
  }

  /** Flushes and closes the tracer's outputs. */
  public shutdown(): Promise<void> {
    return this.tracer.close();
  }
}

/** Whether `value` is a spantrail tracer. Never throws. */
function isTracer(value: unknown): value is Tracer {
  try {
    return value instanceof Tracer;
  } catch {
    // a Proxy whose `getPrototypeOf` throws, or a revoked one
    return false;
  }
}

export default SpantrailTracerProvider;
export type { RegisterOptions };
