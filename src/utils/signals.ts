import { getBuiltin, processObject } from './platform.js';

/** The signals a service manager or a terminal sends to stop a program. */
const stopSignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Members that get `run` when the process exits (the `exit` event, which
 * also comes after `process.exit()` and uncaught exceptions) and when it is
 * stopped by SIGTERM, SIGINT or SIGHUP.
 *
 * On a signal the program has no listener of its own for, `run` is called
 * for each member, spantrail's listener is removed and the signal is raised
 * again, so that it does what it would have done without spantrail (the
 * same exit status). When the program listens itself, its listener decides
 * and spantrail does nothing more than at exit. Nothing is installed where
 * there is no `process`, in worker threads, or on Windows.
 */
function exitHooks<T>(run: (member: T) => void): {
  add(member: T): void;
  delete(member: T): void;
} {
  const members: Set<T> = new Set();
  let installed = false;
  const runAll = () => {
    for (const m of members) {
      try {
        run(m);
      } catch {
        // the exit must go on
      }
    }
  };
  return {
    add(member: T): void {
      members.add(member);
      if (installed) return;
      installed = true;
      install(runAll);
    },
    delete(member: T): void {
      members.delete(member);
    },
  };
}

function install(runAll: () => void): void {
  const proc = processObject();
  if (typeof proc?.on !== 'function') return;
  proc.on('exit', runAll);
  if (
    proc.platform === 'win32' ||
    typeof proc.kill !== 'function' ||
    typeof proc.listeners !== 'function' ||
    getBuiltin<{ isMainThread: boolean }>('node:worker_threads')
      ?.isMainThread === false
  ) {
    return;
  }
  for (const signal of stopSignals) {
    const listener = (): void => {
      const others = otherListeners(proc, signal);
      // a listener of the program's decides what the signal does
      if (others.program) return;
      runAll();
      proc.removeListener(signal, listener);
      // another copy of spantrail listens too: it runs next, in this same
      // emit, and the last copy raises the signal again
      if (others.spantrail) return;
      try {
        proc.kill(proc.pid, signal);
      } catch {
        proc.exit(1);
      }
    };
    (listener as unknown as Record<symbol, boolean>)[listenerMark] = true;
    try {
      proc.on(signal, listener);
    } catch {
      // a runtime without this signal
    }
  }
}

/** Marks spantrail's signal listeners, in every copy of the package. */
const listenerMark = Symbol.for('spantrail.signalListener');

/** Whether listeners besides the one running are the program's or ours. */
function otherListeners(
  proc: any,
  signal: string,
): { program: boolean; spantrail: number } {
  let program = false;
  let spantrail = -1;
  for (const l of proc.listeners(signal) as Array<Record<symbol, unknown>>) {
    if (l[listenerMark] === true) spantrail++;
    else program = true;
  }
  return { program, spantrail: Math.max(0, spantrail) };
}

export { exitHooks, stopSignals };
