/**
 * Finds the async-init class behind an object.
 *
 * `@matrixai/async-init` (1.x and 2.x alike) builds a subclass whose
 * prototype owns `start`/`stop`/`destroy` and symbol getters named
 * `running`/`destroyed`/`status`. Several copies of the package (2.x, 1.x,
 * nested 1.x) each have their own symbols, so they are found by their
 * description, never imported.
 */

type AsyncInitInfo = {
  /** The prototype async-init generated. */
  proto: object;
  running: symbol | undefined;
  destroyed: symbol | undefined;
  status: symbol | undefined;
  startStop: boolean;
  createDestroy: boolean;
};

const infoCache: WeakMap<object, AsyncInitInfo | null> = new WeakMap();

function ownInfo(p: object): AsyncInitInfo | undefined {
  let running: symbol | undefined;
  let destroyed: symbol | undefined;
  let status: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(p)) {
    const d = Object.getOwnPropertyDescriptor(p, s);
    if (d?.get === undefined) continue;
    if (s.description === 'running') running = s;
    else if (s.description === 'destroyed') destroyed = s;
    else if (s.description === 'status') status = s;
  }
  const has = (k: string) =>
    typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function';
  const startStop = running !== undefined && has('start') && has('stop');
  const createDestroy = destroyed !== undefined && has('destroy');
  if (!startStop && !createDestroy) return undefined;
  return { proto: p, running, destroyed, status, startStop, createDestroy };
}

/**
 * The async-init prototype in the chain of `object` (a prototype or an
 * instance), if `object` comes from an async-init class.
 */
function findAsyncInit(object: unknown): AsyncInitInfo | undefined {
  if (object == null || typeof object !== 'object') return undefined;
  const start = object;
  const cached = infoCache.get(start);
  if (cached !== undefined) return cached ?? undefined;
  let found: AsyncInitInfo | undefined;
  for (
    let p: any = start;
    p != null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const c = infoCache.get(p);
    if (c !== undefined) {
      found = c ?? undefined;
      break;
    }
    found = ownInfo(p);
    if (found !== undefined) break;
  }
  // instances are not cached: they are many and short-lived
  if (!isInstanceLike(start)) infoCache.set(start, found ?? null);
  return found;
}

function isInstanceLike(o: object): boolean {
  return !Object.prototype.hasOwnProperty.call(o, 'constructor');
}

function infoOf(instance: object): AsyncInitInfo | undefined {
  return findAsyncInit(Object.getPrototypeOf(instance));
}

export { findAsyncInit, infoOf };
export type { AsyncInitInfo };
