import { Bench } from 'tinybench';

/**
 * Settings of the micro-benchmark rounds. Quick mode trades precision for a
 * run that fits a CI smoke check.
 */
function settings(quick) {
  return quick
    ? { rounds: 3, time: 120, warmupTime: 40, sampleMs: 1 }
    : { rounds: 7, time: 800, warmupTime: 200, sampleMs: 2 };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Picks how many calls one sample batches, so a sample lasts about
 * `sampleMs`: timer reads (~30 ns) would otherwise swamp calls that cost a
 * few nanoseconds.
 */
async function calibrate(contender, sampleMs) {
  let n = 16;
  for (;;) {
    const t0 = performance.now();
    if (contender.async) await contender.run(n);
    else contender.run(n);
    const dt = performance.now() - t0;
    if (dt >= sampleMs / 4 || n >= 1 << 24) {
      return Math.max(1, Math.round((n * sampleMs) / Math.max(dt, 1e-3)));
    }
    n *= 4;
  }
}

/**
 * Runs contenders interleaved: each round is one tinybench `Bench` holding
 * every contender, added in an order rotated by one each round (so none
 * always runs first, right after a GC, or last, on a warm heap). Each
 * tinybench sample is one batch of calls, reported through
 * `overriddenDuration` as the mean time per call. Per round we keep each
 * contender's median sample; the result is the median of those medians.
 *
 * A contender is `{ name, run(n), async? }`: `run` makes `n` calls in its
 * own loop, so every contender has its own monomorphic call site.
 */
async function compare(contenders, { rounds, time, warmupTime, sampleMs }) {
  const batches = new Map();
  for (const c of contenders) batches.set(c.name, await calibrate(c, sampleMs));
  const perRound = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({
      time,
      warmupTime,
      iterations: 5,
      warmupIterations: 2,
      throws: true,
    });
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length];
      const n = batches.get(c.name);
      if (c.async) {
        bench.add(
          c.name,
          async () => {
            const t0 = performance.now();
            await c.run(n);
            const dt = performance.now() - t0;
            return { overriddenDuration: dt / n, overriddenIterationCost: dt };
          },
          { async: true },
        );
      } else {
        bench.add(
          c.name,
          () => {
            const t0 = performance.now();
            c.run(n);
            const dt = performance.now() - t0;
            return { overriddenDuration: dt / n, overriddenIterationCost: dt };
          },
          { async: false },
        );
      }
    }
    await bench.run();
    for (const task of bench.tasks) {
      perRound.get(task.name).push(task.result.latency.p50);
    }
  }
  return contenders.map((c) => {
    const ms = perRound.get(c.name);
    const nsPerOp = median(ms) * 1e6;
    return {
      contender: c.name,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      batch: batches.get(c.name),
      roundsNsPerOp: ms.map((v) => v * 1e6),
      spreadPct: ((Math.max(...ms) - Math.min(...ms)) / median(ms)) * 100,
    };
  });
}

/** Keeps results alive so the optimiser cannot drop the work. */
const sink = { value: 0 };
function consume(x) {
  sink.value = (sink.value + (typeof x === 'number' ? x : 1)) | 0;
}

export { settings, compare, median, consume, sink };
