import path from 'node:path';
import { Tracer, setTracer } from './spantrail.js';
import { compare } from './harness.js';
import { addRatios } from './report.js';
import { createOtel, otelTraced } from './otel.js';
import { decorate, loadTraced } from './decorate.js';

/**
 * The setup and teardown cases 2-4 share: `WithSpantrail.prototype[method]`
 * decorated with `@traced()`, the global tracer writing to a file, and
 * `WithOtel.prototype[method]` wrapped with OpenTelemetry's
 * `startActiveSpan` (JSONL exporter to a file). `contenders(setup)` returns
 * the case's own loops: they stay written out in each case file, so every
 * contender has call sites of its own and no loop turns megamorphic.
 * Resolves to `{ rows }`, or `{ unavailable }` before `traced` is built.
 */
async function compareDecorated({
  settings,
  tmpDir,
  WithSpantrail,
  WithOtel,
  method,
  contenders,
}) {
  const traced = await loadTraced();
  if (traced === undefined) {
    return { unavailable: 'the `traced` decorator is not built (dist/)' };
  }
  const tracer = new Tracer({
    service: 'bench',
    output: path.join(tmpDir, 'spantrail.jsonl'),
  });
  const previous = setTracer(tracer);
  const otel = createOtel(path.join(tmpDir, 'otel.jsonl'));
  decorate(WithSpantrail, method, traced());
  WithOtel.prototype[method] = otelTraced(
    otel.tracer,
    `WithOtel.${method}`,
    WithOtel.prototype[method],
  );
  const closers = [];
  try {
    const list = contenders({
      tracer,
      otel,
      traced,
      stParent: tracer.startSpan('request'),
      onClose: (fn) => closers.push(fn),
    });
    return { rows: addRatios(await compare(list, settings)) };
  } finally {
    setTracer(previous);
    await tracer.close();
    for (const close of closers) await close();
    await otel.close();
  }
}

export { compareDecorated };
