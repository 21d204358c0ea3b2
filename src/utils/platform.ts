/**
 * The runtime's `process` object, or undefined where there is none
 * (browsers). The one place that reads it off `globalThis`, so that no
 * module needs Node's types or a static `node:` import.
 */
function processObject(): any {
  return (globalThis as any).process;
}

/** The environment variables, or an empty object where there are none. */
function processEnv(): Record<string, string | undefined> {
  const env = processObject()?.env;
  return env != null && typeof env === 'object' ? env : {};
}

/**
 * Looks up a Node built-in module without a static import, so that the
 * browser bundle holds no `node:` specifier. Works on Node >= 20.16, Deno
 * and Bun; elsewhere it returns undefined.
 */
function getBuiltin<T = any>(name: string): T | undefined {
  const proc = processObject();
  if (proc == null || typeof proc.getBuiltinModule !== 'function') {
    return undefined;
  }
  try {
    return proc.getBuiltinModule(name) as T;
  } catch {
    return undefined;
  }
}

/** The runtime we run on and its version, for the `meta` record. */
function runtimeInfo(): { runtime: string; runtimeVersion: string } {
  const g = globalThis as any;
  if (g.Deno != null) {
    return { runtime: 'deno', runtimeVersion: String(g.Deno.version?.deno) };
  }
  if (g.Bun != null) return { runtime: 'bun', runtimeVersion: g.Bun.version };
  if (g.process?.versions?.node != null) {
    return { runtime: 'node', runtimeVersion: g.process.versions.node };
  }
  if (g.navigator?.userAgent != null) {
    return { runtime: 'browser', runtimeVersion: g.navigator.userAgent };
  }
  return { runtime: 'unknown', runtimeVersion: '' };
}

/**
 * This process as trace files and OTLP resources describe it: runtime,
 * version, and pid and host name where the runtime has them.
 */
function processInfo(): {
  runtime: string;
  runtimeVersion: string;
  pid?: number;
  host?: string;
} {
  const info: ReturnType<typeof processInfo> = runtimeInfo();
  const pid = processObject()?.pid;
  if (typeof pid === 'number') info.pid = pid;
  try {
    const host = getBuiltin('node:os')?.hostname();
    if (typeof host === 'string') info.host = host;
  } catch {
    // no host name to report
  }
  return info;
}

/**
 * Members that get `run` when the process emits `event` (`exit` for
 * synchronous last writes, `beforeExit` for a last async flush). One
 * listener per registry, added on first use; none where there is no
 * `process` (browsers), and it never keeps the process alive.
 */
function processHooks<T>(
  event: 'exit' | 'beforeExit',
  run: (member: T) => void,
): { add(member: T): void; delete(member: T): void } {
  const members: Set<T> = new Set();
  let installed = false;
  return {
    add(member: T): void {
      members.add(member);
      if (installed) return;
      const proc = processObject();
      if (typeof proc?.on !== 'function') return;
      installed = true;
      proc.on(event, () => {
        for (const m of members) run(m);
      });
    },
    delete(member: T): void {
      members.delete(member);
    },
  };
}

export {
  processObject,
  processEnv,
  getBuiltin,
  runtimeInfo,
  processInfo,
  processHooks,
};
