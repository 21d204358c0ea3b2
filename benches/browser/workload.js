// The code measured by `npm run bench:browser`, bundled twice into one
// page: once rewritten by the await transform, once as it is.

/** A traced async call: a span, two awaits, a child span after the first. */
function tracedCall(tracer) {
  async function handler(i) {
    await null;
    tracer.startSpan('child').end();
    await null;
    return i;
  }
  return (i) => tracer.startActiveSpan('op', () => handler(i));
}

/** An async function that is not traced: three awaits. */
async function plainCall(i) {
  await null;
  await null;
  await null;
  return i;
}

/** Runs `call` `n` times in sequence; returns ns per call. */
async function loop(call, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  return ((performance.now() - t0) * 1e6) / n;
}

export { tracedCall, plainCall, loop };
