import fs from 'node:fs';
import { expect } from '@jest/globals';
import { parseTrace } from '../utils/schema.js';

/**
 * Checks log lines against the trace file they were written beside: each
 * line logged in a span names it (found from the span and back), the line
 * logged outside any span names none.
 */
function checkCorrelation(
  traceFile: string,
  lines: Array<Record<string, any>>,
): void {
  const spans = parseTrace(fs.readFileSync(traceFile, 'utf8')).filter(
    (r) => r.type === 'span',
  );
  const byMsg = (msg: string) => {
    const found = lines.filter((l) => l.msg === msg);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const span = (name: string) => spans.find((s) => s.name === name)!;
  for (const [msg, name] of [
    ['in request', 'request'],
    ['after await', 'request'],
    ['in child', 'child'],
  ]) {
    const line = byMsg(msg);
    expect(line.traceId).toBe(span(name).traceId);
    expect(line.spanId).toBe(span(name).spanId);
    // and back: the span's id finds the line
    expect(lines.filter((l) => l.spanId === span(name).spanId)).toContain(line);
  }
  const outside = byMsg('outside');
  expect(outside.traceId).toBeUndefined();
  expect(outside.spanId).toBeUndefined();
}

/** The program body both loggers run: `log(msg)` is the logger's call. */
const scenario = `
const tracer = new Tracer({ output: process.env.TRACE_FILE });
setTracer(tracer);
await tracer.startActiveSpan('request', async () => {
  log('in request');
  await new Promise((r) => setTimeout(r, 5));
  log('after await');
  await tracer.startActiveSpan('child', async () => log('in child'));
});
log('outside');
await tracer.close();
`;

export { checkCorrelation, scenario };
