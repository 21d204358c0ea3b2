import type { TracerOptions } from './types.js';
import Tracer from './Tracer.js';
import { noopTracer } from './global.js';
import { getBuiltin, processObject } from './utils/platform.js';
import { ErrorOutput } from './output/errors.js';
// opens the destination: registers how targets become outputs
import './output/createProcessor.js';

const flag = '--trace-output';

type FromProcessOptions = Omit<TracerOptions, 'output'> & {
  /** Default: `process.argv`. */
  argv?: Array<string>;
  /** Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Remove `--trace-output` and its value from `argv` so the program's own
   * argument parser never sees them (default true).
   */
  strip?: boolean;
};

/**
 * Finds the trace destination a program was started with: the
 * `--trace-output <dest>` / `--trace-output=<dest>` argument (the last one
 * wins), else the `SPANTRAIL_OUTPUT` environment variable. Returns the
 * destination and strips the flag from `argv` when asked.
 */
function traceOutputFromArgs(
  argv: Array<string>,
  env: Record<string, string | undefined>,
  strip: boolean,
): string | undefined {
  try {
    return outputFromArgs(argv, env, strip);
  } catch (e) {
    // ours name the flag; what a Proxy or getter threw does not
    if (e instanceof TypeError && e.message.startsWith(flag)) throw e;
    throw new TypeError(`${flag}: the arguments cannot be read`, {
      cause: e,
    });
  }
}

function outputFromArgs(
  argv: Array<string>,
  env: Record<string, string | undefined>,
  strip: boolean,
): string | undefined {
  if (!Array.isArray(argv)) {
    throw new TypeError(`${flag}: expected the arguments as an array`);
  }
  let dest: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg: unknown = argv[i];
    if (arg === '--') break;
    if (typeof arg !== 'string') continue;
    let value: string | undefined;
    let width = 0;
    if (arg === flag) {
      value = argv[i + 1];
      width = value === undefined ? 1 : 2;
    } else if (arg.startsWith(flag + '=')) {
      value = arg.slice(flag.length + 1);
      width = 1;
    } else {
      continue;
    }
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(
        `${flag}: expects a destination (file, fd:N, stdout or stderr)`,
      );
    }
    dest = value;
    if (strip) {
      argv.splice(i, width);
      i--;
    }
  }
  if (dest !== undefined) return dest;
  const fromEnv = env?.SPANTRAIL_OUTPUT;
  return typeof fromEnv !== 'string' || fromEnv === '' ? undefined : fromEnv;
}

/**
 * The conventional switch in one line: a tracer writing to the destination
 * given by `--trace-output` or `SPANTRAIL_OUTPUT`, or the no-op tracer when
 * neither is set. A destination that cannot be opened is reported in one
 * line on stderr, and the no-op tracer is returned: the program runs
 * untraced.
 *
 * ```ts
 * const tracer = tracerFromProcess({ service: 'my-cli' });
 * setTracer(tracer);
 * ```
 */
function tracerFromProcess(options: FromProcessOptions = {}): Tracer {
  const proc = processObject();
  let argv: Array<string>;
  let env: Record<string, string | undefined>;
  let strip: boolean;
  let rest: TracerOptions;
  try {
    ({
      argv = proc?.argv ?? [],
      env = proc?.env ?? {},
      strip = true,
      ...rest
    } = options);
  } catch {
    throw new TypeError('tracerFromProcess: options cannot be read');
  }
  const dest = traceOutputFromArgs(argv, env, strip);
  if (dest === undefined) return noopTracer;
  try {
    return new Tracer({ ...rest, output: dest });
  } catch (e) {
    // the program runs untraced rather than not at all
    if (!(e instanceof ErrorOutput)) throw e;
    reportTracingOff(e);
    return noopTracer;
  }
}

/**
 * Says on stderr, in one line, why tracing is off. Never throws: the
 * program carries on either way.
 */
function reportTracingOff(error: unknown): void {
  let reason: string;
  try {
    reason = error instanceof Error ? error.message : String(error);
  } catch {
    reason = 'unknown error';
  }
  const line = `spantrail: tracing is off: ${reason.replace(/[\r\n]+/g, ' ')}\n`;
  try {
    const fs = getBuiltin<{ writeSync(fd: number, s: string): number }>(
      'node:fs',
    );
    if (fs != null) fs.writeSync(2, line);
    else processObject()?.stderr?.write?.(line);
  } catch {
    // no stderr to tell
  }
}

export { tracerFromProcess, traceOutputFromArgs, reportTracingOff };
export type { FromProcessOptions };
