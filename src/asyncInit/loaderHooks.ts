// Node module customization hooks (run in Node's hooks thread, registered
// by instrumentAsyncInit through `module.register`). They append a patch to
// the ESM builds of `@matrixai/async-init`, so that its decorators consult
// the main thread's instrumentation when a class is decorated. Kept free of
// imports: this file is loaded on its own.

const pattern =
  /\/async-init[^/]*\/dist\/(StartStop|CreateDestroy|CreateDestroyStartStop)\.js$/;

function patchSource(kind: string): string {
  return (
    '\n;{const h=globalThis[Symbol.for("spantrail.asyncInit")];' +
    `if(h!=null){${kind}=h.decorator(${kind},"${kind}");ready=h.ready(ready);}}\n`
  );
}

type LoadResult = { format?: string; source?: unknown; shortCircuit?: boolean };

async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  const m = pattern.exec(url);
  if (m == null || result.format !== 'module' || result.source == null) {
    return result;
  }
  const source =
    typeof result.source === 'string'
      ? result.source
      : new TextDecoder().decode(result.source as Uint8Array);
  return { ...result, source: source + patchSource(m[1]) };
}

export { load };
