import type Tracer from '../Tracer.js';
import type {
  HttpInstrumentationOptions,
  InstrumentHttpOptions,
} from '../http/types.js';
import type { Instrumentation } from '../asyncInit/instrumentAsyncInit.js';
import instrumentAsyncInit from '../asyncInit/instrumentAsyncInit.js';
import instrumentHttp from '../http/instrumentHttp.js';
import instrumentFetch from '../http/instrumentFetch.js';

/** What the preload (and {@link instrument}) can trace. */
type InstrumentationName = 'async-init' | 'http' | 'fetch';

const instrumentationNames: ReadonlyArray<InstrumentationName> = [
  'async-init',
  'http',
  'fetch',
];

type InstrumentOptions = {
  /**
   * What to trace: names, or a comma-separated list as
   * `SPANTRAIL_INSTRUMENT` takes (`async-init,http`, `all`, `none`).
   * Default: all.
   */
  instrument?: string | ReadonlyArray<string>;
  /** Span every `@ready` method of async-init classes. */
  ready?: boolean;
  /**
   * Patch ESM builds of async-init through module hooks (default true; see
   * {@link instrumentAsyncInit}).
   */
  esm?: boolean;
  http?: InstrumentHttpOptions;
  fetch?: HttpInstrumentationOptions;
};

/**
 * Parses a list of instrumentations (`SPANTRAIL_INSTRUMENT`): names
 * separated by commas (spaces allowed), `all`, or `none`; undefined or
 * empty means all. Throws a `TypeError` naming an unknown one.
 */
const listName = 'SPANTRAIL_INSTRUMENT';

function parseInstrumentations(
  value: string | ReadonlyArray<string> | undefined,
): Set<InstrumentationName> {
  try {
    return parseList(value);
  } catch (e) {
    // ours name the variable; a revoked Proxy's TypeError does not
    if (e instanceof TypeError && e.message.startsWith(listName)) throw e;
    throw new TypeError(`${listName}: cannot read the list`, {
      cause: e,
    });
  }
}

function parseList(
  value: string | ReadonlyArray<string> | undefined,
): Set<InstrumentationName> {
  if (value == null) return new Set(instrumentationNames);
  const items =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value)
        ? value.map((v) => (typeof v === 'string' ? v : String(v)))
        : undefined;
  if (items === undefined) {
    throw new TypeError(
      'SPANTRAIL_INSTRUMENT: expected a comma-separated list of names',
    );
  }
  const names = items.map((s) => s.trim().toLowerCase()).filter((s) => s);
  if (names.length === 0) return new Set(instrumentationNames);
  const selected = new Set<InstrumentationName>();
  for (const name of names) {
    if (name === 'none') continue;
    if (name === 'all') {
      for (const n of instrumentationNames) selected.add(n);
    } else if ((instrumentationNames as ReadonlyArray<string>).includes(name)) {
      selected.add(name as InstrumentationName);
    } else {
      throw new TypeError(
        `SPANTRAIL_INSTRUMENT: unknown instrumentation '${name}' ` +
          `(expected ${instrumentationNames.join(', ')}, all or none)`,
      );
    }
  }
  if (names.includes('none') && selected.size > 0) {
    throw new TypeError("SPANTRAIL_INSTRUMENT: 'none' cannot be combined");
  }
  return selected;
}

/**
 * Turns on the automatic instrumentations a program set up in code wants,
 * as the preload does: async-init lifecycles ({@link instrumentAsyncInit}),
 * incoming and outgoing HTTP ({@link instrumentHttp}) and `fetch`
 * ({@link instrumentFetch}). Call it before the program loads its modules.
 * Returns `{ tracer, uninstrument() }` undoing all of them.
 */
function instrument(
  tracer: Tracer,
  options: InstrumentOptions = {},
): Instrumentation {
  if (tracer == null || typeof tracer.startSpan !== 'function') {
    throw new TypeError('instrument: expected a tracer');
  }
  if (options == null || typeof options !== 'object') {
    throw new TypeError('instrument: options must be an object');
  }
  let o: InstrumentOptions;
  try {
    const { instrument: list, ready, esm, http, fetch } = options;
    o = { instrument: list, ready, esm, http, fetch };
  } catch (e) {
    throw new TypeError('instrument: cannot read the options', { cause: e });
  }
  const selected = parseInstrumentations(o.instrument);
  const running: Array<{ uninstrument(): void }> = [];
  try {
    if (selected.has('http')) running.push(instrumentHttp(tracer, o.http));
    if (selected.has('fetch')) running.push(instrumentFetch(tracer, o.fetch));
    if (selected.has('async-init')) {
      running.push(
        instrumentAsyncInit(tracer, {
          ready: o.ready === true,
          esm: o.esm !== false,
        }),
      );
    }
  } catch (e) {
    // options refused half-way: undo what was turned on
    for (const r of running) r.uninstrument();
    throw e;
  }
  return {
    tracer,
    uninstrument() {
      for (const r of running) r.uninstrument();
    },
  };
}

export { instrument, parseInstrumentations, instrumentationNames };
export type { InstrumentOptions, InstrumentationName };
