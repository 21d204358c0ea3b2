import { compareIsolated } from './isolated.js';
import { fmtNum, fmtRatio } from './report.js';

const names = [
  'untraced',
  'floor',
  'spantrail',
  'spantrail, emitStart: false',
  'OpenTelemetry, BatchSpanProcessor',
  'OpenTelemetry, SimpleSpanProcessor',
];

/**
 * Runs a traced-call case (its module exports `contenders`) one contender
 * per process and adds the ratios every such case reports: overhead (time
 * per call above the untraced call of the same round) against the floor's
 * and against OpenTelemetry with a batch processor.
 */
async function runTracedCall({ caseUrl, quick, tmpDir, spansPerCall = 1 }) {
  const rows = await compareIsolated({
    caseUrl,
    names,
    baseline: 'untraced',
    // the same number of spans whatever a call makes: a loop that never
    // yields keeps every export promise of a simple processor pending
    calls: Math.round((quick ? 50_000 : 200_000) / spansPerCall),
    rounds: quick ? 3 : 7,
    tmpDir,
  });
  const by = (n) => rows.find((r) => r.contender === n);
  const floor = by('floor');
  const batch = by('OpenTelemetry, BatchSpanProcessor');
  for (const r of rows) {
    if (r.contender === 'untraced') continue;
    // a floor lost in the noise (quick runs) gives no ratio to judge by
    r.vsFloor =
      floor.overheadNs > 0 ? r.overheadNs / floor.overheadNs : Number.NaN;
    r.otelBatchVs = batch.overheadNs / r.overheadNs;
    // the same ratio on wall time, which other load on the machine moves
    r.otelBatchWallVs = batch.wallOverheadNs / r.wallOverheadNs;
  }
  return { rows, by, rounds: rows[0].rounds.length };
}

const columns = [
  { key: 'contender', label: 'contender' },
  { key: 'nsPerCall', label: 'CPU ns/call', fmt: (v) => fmtNum(v) },
  { key: 'minNs', label: 'min', fmt: (v) => fmtNum(v) },
  {
    key: 'spreadPct',
    label: 'spread',
    fmt: (v) => (v == null ? '-' : v.toFixed(0) + '%'),
  },
  { key: 'overheadNs', label: 'overhead ns', fmt: (v) => fmtNum(v) },
  { key: 'vsFloor', label: 'x floor', fmt: fmtRatio },
  { key: 'otelBatchVs', label: 'OTel batch / this', fmt: fmtRatio },
  { key: 'wallNs', label: 'wall ns/call', fmt: (v) => fmtNum(v) },
  { key: 'otelBatchWallVs', label: 'on wall time', fmt: fmtRatio },
  { key: 'bytesPerCall', label: 'bytes/call', fmt: (v) => v.toFixed(0) },
];

const contenderNote =
  'Each contender runs alone in a fresh `node --expose-gc` process ' +
  '(warm-up, then the timed calls; the time ends once every record is in ' +
  'the file), processes alternating in rotated order; medians, minimums ' +
  'and spreads ((max - min) / median) over the rounds. Times are the CPU ' +
  'time of the process per call (user + system, all its threads, so ' +
  'garbage collection counts), which the load of other processes on a ' +
  'shared machine barely moves; wall time is shown beside it. Overhead = ' +
  "CPU ns per call minus the untraced call's in the same round. untraced: the same " +
  'method, AsyncLocalStorage enabled. floor: `AsyncLocalStorage.run` per ' +
  'span plus two pre-built 300-byte lines appended per span and written ' +
  'with `fs.writeSync` in 64 KiB batches. spantrail: `@traced()`, the ' +
  'global tracer writing to a file, default options. OpenTelemetry: ' +
  '`startActiveSpan` around the method, `AsyncLocalStorageContextManager`, ' +
  'a JSONL exporter writing the same fields in 64 KiB batches; ' +
  '`BatchSpanProcessor` with its production defaults but a queue that ' +
  'holds the whole run (the run checks that every span was exported), or ' +
  '`SimpleSpanProcessor` (one export per span).';

export { runTracedCall, columns, contenderNote, names };
