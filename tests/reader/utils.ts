import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceModel, TraceReader } from '../../src/reader/index.js';

const fixtures = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/traces',
);
const fixture = (name: string): string => path.join(fixtures, name);

async function load(...files: Array<string>): Promise<{
  model: TraceModel;
  reader: TraceReader;
}> {
  const model = new TraceModel();
  const reader = new TraceReader();
  await reader.readAll(files.map(fixture), model);
  return { model, reader };
}

const hex32 = (n: number): string => n.toString(16).padStart(32, '0');

function spanLine(o: {
  traceId: string;
  spanId: string;
  parentId?: string;
  name?: string;
  startTime?: number;
  duration?: number;
  code?: number;
}): string {
  return JSON.stringify({
    type: 'span',
    traceId: o.traceId,
    spanId: o.spanId,
    ...(o.parentId != null ? { parentId: o.parentId } : {}),
    name: o.name ?? 'op',
    kind: 0,
    startTime: o.startTime ?? 1000,
    duration: o.duration ?? 5000,
    status: { code: o.code ?? 0 },
    attributes: {},
    events: [],
    links: [],
  });
}

export { fixtures, fixture, load, hex32, spanLine };
