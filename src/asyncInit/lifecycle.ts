import type Span from '../Span.js';
import type Tracer from '../Tracer.js';
import type { AsyncInitInfo } from './detect.js';
import { SpanStatusCode } from '../constants.js';
import { getTracer } from '../global.js';
import { setObjectSpan } from '../context/objectContext.js';
import { describeException } from '../utils/exceptions.js';

// The lifecycle state machine: one lifetime span per instance, and one span
// per phase (start, stop, destroy) inside it. Phases open on async-init's
// events or, without events (old async-init), on the phase bodies.

type Phase = 'start' | 'stop' | 'destroy';

type LifecycleConfig = {
  /** Default: the global tracer at the time of the event. */
  tracer?: Tracer;
};

type OpenPhase = {
  name: Phase;
  span: Span;
  /** Opened by an async-init event (so the `*ed` event closes it). */
  byEvent: boolean;
};

type LifecycleState = {
  lifetime: Span | undefined;
  /** The last lifetime, kept as parent of a destroy that follows a stop. */
  last: Span | undefined;
  phase: OpenPhase | undefined;
};

/** Classes (async-init prototypes) whose every instance is traced. */
const classConfigs: WeakMap<object, LifecycleConfig> = new WeakMap();
/** Instances traced one by one ({@link traceObject}). */
const instanceConfigs: WeakMap<object, LifecycleConfig> = new WeakMap();
const states: WeakMap<object, LifecycleState> = new WeakMap();

function configOf(
  instance: object,
  info: AsyncInitInfo,
): LifecycleConfig | undefined {
  return instanceConfigs.get(instance) ?? classConfigs.get(info.proto);
}

function className(instance: object): string {
  const name = (instance as any).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

function stateOf(instance: object): LifecycleState {
  let state = states.get(instance);
  if (state === undefined) {
    state = { lifetime: undefined, last: undefined, phase: undefined };
    states.set(instance, state);
  }
  return state;
}

function openLifetime(
  tracer: Tracer,
  instance: object,
  state: LifecycleState,
  owner?: Span,
) {
  const lifetime = tracer.startSpan(className(instance), {
    parent: tracer.context.active() ?? owner,
    attributes: { 'spantrail.lifecycle': 'lifetime' },
  });
  state.lifetime = lifetime;
  state.last = lifetime;
  setObjectSpan(instance, lifetime);
}

function closeLifetime(
  instance: object,
  state: LifecycleState,
  error?: unknown,
): void {
  const lifetime = state.lifetime;
  if (lifetime === undefined) return;
  if (error !== undefined) {
    lifetime.setStatus({
      code: SpanStatusCode.ERROR,
      message: describeException(error).message,
    });
  }
  lifetime.end();
  state.lifetime = undefined;
  setObjectSpan(instance, undefined);
}

function beginPhase(
  tracer: Tracer,
  instance: object,
  name: Phase,
  byEvent: boolean,
): OpenPhase {
  const state = stateOf(instance);
  if (
    name === 'start' &&
    (state.lifetime === undefined || state.lifetime.isEnded())
  ) {
    openLifetime(tracer, instance, state);
  }
  // a destroy after stop joins the last lifetime when nothing is active
  const parent =
    state.lifetime !== undefined && !state.lifetime.isEnded()
      ? state.lifetime
      : (tracer.context.active() ?? state.last);
  const span = tracer.startSpan(`${className(instance)}.${name}`, {
    parent,
    attributes: { 'spantrail.lifecycle': name },
  });
  const phase: OpenPhase = { name, span, byEvent };
  state.phase = phase;
  return phase;
}

function endPhase(instance: object, phase: OpenPhase, error?: unknown): void {
  const state = stateOf(instance);
  if (state.phase === phase) state.phase = undefined;
  if (phase.span.isEnded()) return;
  const failed = arguments.length > 2;
  if (failed) phase.span.recordException(error);
  phase.span.end();
  if (phase.name === 'start') {
    if (failed) closeLifetime(instance, state, error);
  } else if (!failed) {
    // stopped, or destroyed (the lifetime of a CreateDestroy instance)
    closeLifetime(instance, state);
  }
}

/**
 * Reads the transition async-init is in when it dispatches an event: the
 * event that opens a phase is the first one seen in `starting` /
 * `stopping` / `destroying`; the `*ed` event is the one seen once
 * `running` / `destroyed` has flipped. Custom event classes need no
 * registration this way.
 */
function onEvent(instance: any, info: AsyncInitInfo): void {
  const config = configOf(instance, info);
  if (config === undefined || info.status === undefined) return;
  const status = instance[info.status];
  if (status == null) return;
  const phase = states.get(instance)?.phase;
  let name: Phase;
  let done: boolean;
  if (status === 'starting' && info.running !== undefined) {
    name = 'start';
    done = instance[info.running] === true;
  } else if (status === 'stopping' && info.running !== undefined) {
    name = 'stop';
    done = instance[info.running] === false;
  } else if (status === 'destroying' && info.destroyed !== undefined) {
    name = 'destroy';
    done = instance[info.destroyed] === true;
  } else {
    return;
  }
  if (done) {
    if (phase !== undefined && phase.name === name && phase.byEvent) {
      endPhase(instance, phase);
    }
  } else if (phase === undefined) {
    const tracer = config.tracer ?? getTracer();
    if (tracer.enabled) beginPhase(tracer, instance, name, true);
  }
}

export {
  classConfigs,
  instanceConfigs,
  states,
  configOf,
  stateOf,
  openLifetime,
  beginPhase,
  endPhase,
  onEvent,
};
export type { Phase, LifecycleConfig, OpenPhase };
