import { describe, expect, test } from '@jest/globals';
import {
  TraceDecoder,
  TraceModel,
  createIssues,
  decodeLegacyId,
} from '../../src/reader/index.js';
import { load } from '../reader/utils.js';

describe('legacy js-logger format', () => {
  test('ids decode to hex and their time', () => {
    const d = decodeLegacyId('v0q90c98001o0110kghimqd9700');
    expect(d).toBeDefined();
    expect(d!.hex).toMatch(/^[0-9a-f]{32}$/);
    expect(d!.time).toBe(1763730000000000);
    expect(decodeLegacyId('vnot-an-id')).toBeUndefined();
    expect(decodeLegacyId('')).toBeUndefined();
  });

  test('builds trees with times from the ids', async () => {
    const { model, reader } = await load('legacy.jsonl');
    expect(reader.issues.malformed).toBe(0);
    const [t1, t2] = model.traceIds();
    expect(
      model
        .flatten(t1)
        .map((e) => `${e.depth}:${e.node.name}:${e.node.duration}`),
    ).toEqual([
      '0:handler:25000000',
      '1:parseBody:3000000',
      '1:db.query:14000000',
      '2:db.connect:2000000',
    ]);
    expect(
      model.flatten(t2).map((e) => `${e.node.name}:${e.node.open}`),
    ).toEqual(['handler:true', 'waitForLock:true']);
  });

  test('the spanId/parentSpanId/end variant is read too', async () => {
    const idMod = (await import('@matrixai/id')).default;
    const gen = new idMod.IdSortable();
    const mb = (): string => idMod.utils.toMultibase(gen.get(), 'base64');
    const span = mb();
    const lines = [
      { type: 'start', id: mb(), spanId: span, name: 'outer' },
      {
        type: 'start',
        id: mb(),
        spanId: mb(),
        parentSpanId: span,
        name: 'inner',
      },
      { type: 'end', id: mb(), spanId: span, name: 'outer' },
    ];
    const model = new TraceModel();
    const d = new TraceDecoder('x', model, createIssues());
    d.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    d.end();
    const [id] = model.traceIds();
    expect(
      model.flatten(id).map((e) => `${e.depth}:${e.node.name}:${e.node.open}`),
    ).toEqual(['0:outer:false', '1:inner:true']);
  });
});
