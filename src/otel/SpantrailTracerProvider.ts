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
    if (tracerOrOptions instanceof Tracer) {
      this.tracer = tracerOrOptions;
    } else {
      if (tracerOrOptions == null || typeof tracerOrOptions !== 'object') {
        throw new TypeError(
          'SpantrailTracerProvider: expected a Tracer or tracer options',
        );
      }
      this.tracer = new Tracer({
        ...tracerOrOptions,
        context: tracerOrOptions.context ?? new BridgeContextManager(),
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

  public getTracer(
    name: string,
    version?: string,
    options?: OtelTracerOptions,
  ): OtelTracerApi {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new OtelTracer(this.tracer, {
        name: typeof name === 'string' && name !== '' ? name : 'unknown',
        version,
        schemaUrl: options?.schemaUrl,
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
    let ok = trace.setGlobalTracerProvider(this);
    ok = context.setGlobalContextManager(this.contextManager.otel) && ok;
    if (options.propagator !== null) {
      ok =
        propagation.setGlobalPropagator(
          options.propagator ?? new TraceContextPropagator(),
        ) && ok;
    }
    if (options.setGlobalTracer !== false) setTracer(this.tracer);
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

export default SpantrailTracerProvider;
export type { RegisterOptions };
