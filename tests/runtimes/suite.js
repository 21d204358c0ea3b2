/**
 * The context suite, written once and run unchanged on every runtime: Node
 * (AsyncLocalStorage and forced shim, in jest against `src/` and in
 * `tests/runtimes` against `dist/`), Deno, Bun and headless Chromium. It
 * takes the spantrail module namespace as an argument so that it never
 * imports `node:` modules or paths that differ between runtimes.
 *
 * Each check throws on failure; `runContextSuite` returns one result per
 * check and never throws.
 */
import fc from 'fast-check';

const lostKey = 'spantrail.context.lost';

class SuiteError extends Error {}

function check(condition, message) {
  if (!condition) throw new SuiteError(message);
}

/** A span processor that keeps every span it is given. */
function recorder() {
  return {
    started: [],
    ended: [],
    onStart(span) {
      this.started.push(span);
    },
    onEnd(span) {
      this.ended.push(span);
    },
    flush: async () => {},
    flushSync() {},
    close: async () => {},
  };
}

function describe(e) {
  if (!(e instanceof Error)) return String(e);
  // fast-check puts the failing check's error in `cause`
  return e.cause instanceof Error
    ? `${e.message}\n${e.cause.message}`
    : e.message;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ignore() {}

// ---------------------------------------------------------------------------
// The model: trees of traced async tasks run concurrently

const ms = fc.integer({ min: 0, max: 2 });

const { task: taskArb } = fc.letrec((tie) => ({
  task: fc.record({
    steps: fc.array(tie('step'), { maxLength: 4 }),
    fail: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  }),
  step: fc.oneof(
    // the first arbitrary is the only one used once maxDepth is reached
    { maxDepth: 3, depthIdentifier: 'task' },
    fc.oneof(
      fc.constant({ t: 'await' }),
      fc.record({ t: fc.constant('timeout'), ms }),
      fc.constant({ t: 'micro' }),
      fc.record({
        t: fc.constant('sync'),
        depth: fc.integer({ min: 1, max: 3 }),
        throwAt: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      }),
    ),
    fc.record({ t: fc.constant('call'), child: tie('task') }),
    fc.record({
      t: fc.constant('all'),
      children: fc.array(tie('task'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ t: fc.constant('timerChild'), ms, child: tie('task') }),
    fc.record({ t: fc.constant('microChild'), child: tie('task') }),
    fc.record({ t: fc.constant('bound'), ms, child: tie('task') }),
    fc.record({ t: fc.constant('ctxChild'), ms, child: tie('task') }),
  ),
}));

const rootsArb = fc.array(taskArb, { minLength: 1, maxLength: 5 });

/**
 * Runs `roots` concurrently and checks every span's parent. With ALS each
 * parent is exactly the logical caller. With the shim each parent is the
 * logical caller or absent, never another span; it is exact wherever the
 * context is knowable (synchronous nesting, the synchronous part of an async
 * function, `bind` called there, explicit context objects), and absent
 * spans are marked lost. With `exactAwait` (the suite built with the await
 * transform) the shim is exact after every `await` too: only callbacks of
 * timers and `queueMicrotask`, which are not awaits, still lose it.
 */
async function runModel(lib, mode, roots, exactAwait = false) {
  const rec = recorder();
  const tracer = new lib.Tracer({
    context: mode,
    output: rec,
    service: 'suite',
  });
  const shim = tracer.context instanceof lib.ShimContextManager;
  // whether the active span after an await is exact
  const awaitExact = !shim || exactAwait;
  // span -> { logical: parent span or undefined, known: exact under the shim
  // too, error: expected to fail }
  const expected = new Map();
  const pending = [];
  const problems = [];
  let counter = 0;

  function runTask(task, logical, known, ctx, explicit) {
    const name = `task${counter++}`;
    const error = task.fail ? new Error(name) : undefined;
    const options = explicit
      ? { parent: lib.spanFromContextObject(ctx) }
      : undefined;
    const promise = tracer.startActiveSpan(name, options, async (span) => {
      expected.set(span, { logical, known, error: error !== undefined });
      const ownCtx = lib.withContextSpan(ctx, span);
      let inSync = true;
      for (const step of task.steps) {
        await runStep(step, span, inSync, ownCtx);
        inSync = exactAwait;
        // with ALS (or the await transform) the span stays active across
        // every kind of await
        const active = tracer.activeSpan();
        if (awaitExact ? active !== span : active !== undefined) {
          problems.push(`${name}: active span after ${step.t} is wrong`);
        }
      }
      if (error !== undefined) throw error;
    });
    pending.push(
      promise.then(
        () => {
          if (error !== undefined) problems.push(`${name}: did not reject`);
        },
        (e) => {
          if (e !== error) problems.push(`${name}: rejection was changed`);
        },
      ),
    );
    return promise;
  }

  function nestSync(level, depth, throwAt, logical, known) {
    return tracer.startActiveSpan(`sync${counter++}`, (span) => {
      expected.set(span, {
        logical,
        known,
        error: throwAt !== undefined && level <= throwAt,
      });
      if (tracer.activeSpan() !== span) {
        problems.push(`${span.name}: not active inside startActiveSpan`);
      }
      if (level === throwAt) throw new SuiteError(`thrown at ${level}`);
      if (level + 1 < depth) nestSync(level + 1, depth, throwAt, span, true);
      return level;
    });
  }

  async function runStep(step, span, inSync, ctx) {
    switch (step.t) {
      case 'await':
        await null;
        return;
      case 'timeout':
        await sleep(step.ms);
        return;
      case 'micro':
        await new Promise((resolve) => queueMicrotask(resolve));
        return;
      case 'sync': {
        const throwAt =
          step.throwAt !== undefined && step.throwAt < step.depth
            ? step.throwAt
            : undefined;
        try {
          const r = nestSync(0, step.depth, throwAt, span, inSync);
          if (throwAt !== undefined) problems.push('sync: did not throw');
          if (r !== 0) problems.push('sync: result was changed');
        } catch (e) {
          if (!(e instanceof SuiteError) || throwAt === undefined) {
            problems.push(`sync: unexpected throw ${e}`);
          }
        }
        return;
      }
      case 'call':
        await runTask(step.child, span, inSync, ctx, false).catch(ignore);
        return;
      case 'all':
        await Promise.all(
          step.children.map((c) => runTask(c, span, inSync, ctx, false)),
        ).catch(ignore);
        return;
      case 'timerChild':
        // ALS follows timers; the shim cannot
        await new Promise((resolve) =>
          setTimeout(
            () =>
              runTask(step.child, span, false, ctx, false).then(
                resolve,
                resolve,
              ),
            step.ms,
          ),
        );
        return;
      case 'microChild':
        await new Promise((resolve) =>
          queueMicrotask(() =>
            runTask(step.child, span, false, ctx, false).then(resolve, resolve),
          ),
        );
        return;
      case 'bound': {
        // bind captures the context where it is called: known in the
        // synchronous part under the shim, always under ALS
        const known = inSync;
        await new Promise((resolve) =>
          setTimeout(
            tracer.bind(() =>
              runTask(step.child, span, known, ctx, false).then(
                resolve,
                resolve,
              ),
            ),
            step.ms,
          ),
        );
        return;
      }
      case 'ctxChild':
        // the callee takes its parent from the context object: always exact
        await new Promise((resolve) =>
          setTimeout(
            () =>
              runTask(step.child, span, true, ctx, true).then(resolve, resolve),
            step.ms,
          ),
        );
        return;
    }
  }

  await Promise.all(
    roots.map((root) => runTask(root, undefined, true, undefined, false)),
  ).catch(ignore);
  // children may still run after a Promise.all rejected early
  for (let n = -1; n !== pending.length;) {
    n = pending.length;
    await Promise.all(pending);
  }

  check(problems.length === 0, problems.slice(0, 5).join('; '));
  check(
    rec.started.length === expected.size && rec.ended.length === expected.size,
    `spans: ${expected.size} expected, ${rec.started.length} started, ${rec.ended.length} ended`,
  );
  for (const [span, e] of expected) {
    const want = e.logical?.spanId;
    const got = span.parentId;
    const lost = span.attributes?.[lostKey];
    const where = `${span.name} (${shim ? 'shim' : 'als'})`;
    check(span.isEnded(), `${where}: not ended`);
    if (!shim || e.known) {
      check(got === want, `${where}: parent ${got}, expected ${want}`);
    } else {
      // never wrong: the logical parent or none
      check(got === undefined || got === want, `${where}: WRONG parent ${got}`);
    }
    if (got !== undefined) {
      check(span.traceId === e.logical.traceId, `${where}: other trace`);
    }
    if (shim && e.logical !== undefined && got === undefined) {
      check(lost === true, `${where}: lost parent is not marked`);
    }
    if (got !== undefined || !shim) {
      check(lost === undefined, `${where}: marked lost but has its parent`);
    }
    if (e.error) {
      check(
        span.status.code === lib.SpanStatusCode.ERROR,
        `${where}: not ERROR`,
      );
      check(
        span.events?.some((ev) => ev.name === 'exception'),
        `${where}: no exception event`,
      );
    } else {
      check(
        span.status.code === lib.SpanStatusCode.UNSET,
        `${where}: status set`,
      );
    }
  }
  return expected.size;
}

// ---------------------------------------------------------------------------
// Deterministic checks

async function checkDefaultManager(lib, expectDefault) {
  const tracer = new lib.Tracer({ output: [] });
  const Expected =
    expectDefault === 'als' ? lib.AlsContextManager : lib.ShimContextManager;
  check(
    tracer.context instanceof Expected,
    `default context manager is ${tracer.context.constructor.name}, expected ${expectDefault}`,
  );
  if (expectDefault === 'shim') {
    let threw = false;
    try {
      new lib.Tracer({ context: 'als' });
    } catch (e) {
      threw = e instanceof TypeError;
    }
    check(threw, "context: 'als' must throw a TypeError without ALS");
  }
}

async function checkSyncNesting(lib, mode) {
  const rec = recorder();
  const tracer = new lib.Tracer({ context: mode, output: rec });
  const a = tracer.startActiveSpan('a', (a) => {
    const b = tracer.startActiveSpan('b', (b) => {
      const c = tracer.startSpan('c');
      c.end();
      check(tracer.activeSpan() === b, 'b is not active');
      return [b, c];
    });
    check(tracer.activeSpan() === a, 'a is not active again');
    return [a, ...b];
  });
  check(tracer.activeSpan() === undefined, 'a span leaked out');
  const [sa, sb, sc] = a;
  check(sa.parentId === undefined, 'a is not a root');
  check(sb.parentId === sa.spanId && sc.parentId === sb.spanId, 'nesting');
  check(rec.ended.length === 3, 'not all ended');
  // an explicit null parent starts a new trace even under an active span
  tracer.withSpan(sa, () => {
    const r = tracer.startSpan('r', { parent: null });
    check(r.parentId === undefined && r.traceId !== sa.traceId, 'null parent');
    r.end();
  });
}

async function checkStartActiveSpan(lib, mode) {
  const rec = recorder();
  const tracer = new lib.Tracer({ context: mode, output: rec });
  const value = { v: 1 };
  check(
    tracer.startActiveSpan('sync', () => value) === value,
    'sync result changed',
  );
  const err = new Error('boom');
  let caught;
  try {
    tracer.startActiveSpan('throws', { attributes: { a: 1 } }, () => {
      throw err;
    });
  } catch (e) {
    caught = e;
  }
  check(caught === err, 'sync throw changed');
  check(
    (await tracer.startActiveSpan('async', async () => value)) === value,
    'async result changed',
  );
  const nonError = { reason: 'not an Error' };
  caught = undefined;
  await tracer
    .startActiveSpan('rejects', async () => {
      await sleep(1);
      throw nonError;
    })
    .catch((e) => {
      caught = e;
    });
  check(caught === nonError, 'rejection changed');
  const byName = Object.fromEntries(rec.ended.map((s) => [s.name, s]));
  check(rec.ended.length === 4, `ended ${rec.ended.length} of 4`);
  check(byName.sync.status.code === lib.SpanStatusCode.UNSET, 'sync status');
  check(byName.async.status.code === lib.SpanStatusCode.UNSET, 'async status');
  for (const name of ['throws', 'rejects']) {
    const s = byName[name];
    check(s.status.code === lib.SpanStatusCode.ERROR, `${name}: not ERROR`);
    check(s.events?.[0]?.name === 'exception', `${name}: no exception event`);
  }
  check(byName.throws.attributes.a === 1, 'options were ignored');
}

async function checkBind(lib, mode) {
  const tracer = new lib.Tracer({ context: mode, output: [] });
  const span = tracer.startSpan('owner');
  const seen = await new Promise((resolve) => {
    const bound = tracer.withSpan(span, () =>
      tracer.bind(function (x) {
        resolve([tracer.activeSpan(), this, x]);
      }),
    );
    const self = { me: true };
    setTimeout(() => bound.call(self, 42), 0);
  });
  check(seen[0] === span, 'bound callback lost its span');
  check(seen[1]?.me === true && seen[2] === 42, 'this/arguments not passed');
  // an explicit span wins over the active one
  const other = tracer.startSpan('other');
  const f = tracer.withSpan(span, () =>
    tracer.bind(() => tracer.activeSpan(), other),
  );
  check(f() === other, 'explicit bind span ignored');
  check(tracer.activeSpan() === undefined, 'bind leaked its span');
}

async function checkPropagation(lib, mode) {
  const tracer = new lib.Tracer({ context: mode, output: [] });
  const span = tracer.startSpan('client');
  const headers = tracer.inject(new globalThis.Headers(), span);
  const tp = headers.get('traceparent');
  check(
    tp === `00-${span.traceId}-${span.spanId.slice(16)}-01`,
    `traceparent ${tp}`,
  );
  const remote = tracer.extract(headers);
  check(
    remote.isRemote === true &&
      remote.traceId === span.traceId &&
      remote.spanId === span.spanId.slice(16),
    'round trip',
  );
  const server = tracer.withSpan(remote, () => tracer.startSpan('server'));
  check(
    server.traceId === span.traceId && server.parentId === remote.spanId,
    'span under a remote parent did not join its trace',
  );
  const plain = tracer.inject({}, server);
  check(plain.traceparent.split('-')[2] === server.spanId.slice(16), 'plain');
  for (const bad of [
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    'garbage',
  ]) {
    check(
      tracer.extract({ traceparent: bad }) === undefined,
      `accepted ${bad}`,
    );
    const s = tracer.startSpan('fresh', {
      parent: tracer.extract({ traceparent: bad }),
    });
    check(s.parentId === undefined, `joined malformed ${bad}`);
  }
}

/**
 * The workload where the shim alone loses every parent: spans started after
 * each kind of suspension in a traced async function (a plain `await`, a
 * timer, a microtask, a `for await` loop and its generator, a `catch` after
 * a rejection, a `finally`, a nested async arrow, a function resumed after
 * its caller's span ended). With ALS, or the shim with the await transform
 * (`exactAwait`), every parent is exact; with the shim alone each is
 * missing and marked lost, none wrong. Returns the counts.
 */
async function checkAfterAwait(lib, mode, exactAwait) {
  const rec = recorder();
  const tracer = new lib.Tracer({ context: mode, output: rec });
  const shim = tracer.context instanceof lib.ShimContextManager;
  const exact = !shim || exactAwait;
  const expected = []; // [span, logical parent]
  const note = (parent) => {
    const span = tracer.startSpan('after');
    span.end();
    expected.push([span, parent]);
  };
  async function* gen(parent) {
    await sleep(1);
    note(parent);
    yield 1;
    yield 2;
  }
  let detached;
  await tracer.startActiveSpan('work', async (work) => {
    await null;
    note(work);
    await sleep(1);
    note(work);
    await new Promise((resolve) => queueMicrotask(resolve));
    note(work);
    for await (const v of gen(work)) {
      if (v > 0) note(work);
    }
    note(work);
    try {
      await Promise.reject(new SuiteError('rejected'));
    } catch {
      note(work);
    } finally {
      await sleep(0);
      note(work);
    }
    await tracer.startActiveSpan('nested', async (nested) => {
      const arrow = async () => (await sleep(1), note(nested));
      await arrow();
      note(nested);
    });
    // outlives its caller: resumed after `work` ended
    detached = tracer.startActiveSpan('detached', async (own) => {
      await sleep(5);
      note(own);
    });
  });
  await detached;
  await sleep(0);
  check(tracer.activeSpan() === undefined, 'a span leaked out of the work');
  let right = 0;
  let missing = 0;
  let wrong = 0;
  for (const [span, parent] of expected) {
    if (span.parentId === parent.spanId) right++;
    else if (span.parentId === undefined) {
      missing++;
      check(span.attributes?.[lostKey] === true, 'missing parent not marked');
    } else wrong++;
  }
  const counts = `${expected.length} spans after await: ${right} exact, ${missing} missing, ${wrong} wrong`;
  check(wrong === 0, counts);
  if (exact) check(right === expected.length, counts);
  else check(missing === expected.length, counts);
  return counts;
}

/**
 * Runs the suite. `lib` is the spantrail module; `context` is the tracer's
 * `context` option (`'als'`, `'shim'`, or undefined for the detected one);
 * `expectDefault` is what detection must pick on this runtime; `exactAwait`
 * says the suite was built with the await transform. Returns the
 * results and the fast-check seed (replay with the same `seed`).
 */
async function runContextSuite(lib, options = {}) {
  const mode = options.context;
  const seed =
    options.seed ?? (Date.now() ^ Math.floor(Math.random() * 0x100000000)) | 0;
  const numRuns = options.numRuns ?? 100;
  const checks = [
    [
      'default context manager',
      () => checkDefaultManager(lib, options.expectDefault),
    ],
    ['sync nesting', () => checkSyncNesting(lib, mode)],
    ['startActiveSpan', () => checkStartActiveSpan(lib, mode)],
    ['bind', () => checkBind(lib, mode)],
    ['W3C propagation', () => checkPropagation(lib, mode)],
    [
      'parents after await',
      () => checkAfterAwait(lib, mode, options.exactAwait === true),
    ],
    [
      `concurrent async chains (fast-check seed ${seed})`,
      async () => {
        let spans = 0;
        await fc.assert(
          fc.asyncProperty(rootsArb, async (roots) => {
            spans += await runModel(
              lib,
              mode,
              roots,
              options.exactAwait === true,
            );
          }),
          { seed, numRuns, path: options.path },
        );
        check(spans > numRuns, 'the model made almost no spans');
      },
    ],
  ];
  if (options.expectDefault === undefined) checks.shift();
  const results = [];
  for (const [name, fn] of checks) {
    try {
      const detail = await fn();
      results.push(
        typeof detail === 'string'
          ? { name, ok: true, detail }
          : { name, ok: true },
      );
    } catch (e) {
      results.push({
        name,
        ok: false,
        error: describe(e),
      });
    }
  }
  return { seed, results };
}

export { runContextSuite, runModel, rootsArb };
