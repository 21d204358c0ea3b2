import { describe, expect, test } from '@jest/globals';
import {
  TraceDecoder,
  TraceModel,
  createIssues,
} from '../../src/reader/index.js';
import { load, hex32, spanLine } from './utils.js';

describe('TraceModel', () => {
  test('open spans, errors, summaries and prefix lookup', async () => {
    const { model } = await load('basic.jsonl');
    expect(model.openSpans().map((s) => s.name)).toEqual([
      'Service.start',
      'Cache.warm',
    ]);
    expect(model.errors().map((s) => s.name)).toEqual(['Db.open', 'Db.query']);
    const [t1, t2] = model.traceIds();
    const s1 = model.summary(t1);
    expect(s1).toMatchObject({
      rootName: 'Service.start',
      spanCount: 5,
      openCount: 2,
      errorCount: 2,
    });
    expect(model.summary(t2)).toMatchObject({
      rootName: 'Job.run',
      spanCount: 3,
      duration: 1500000,
    });
    expect(model.recentTraces(1)[0].traceId).toBe(t2);
    expect(model.findTrace(t1.slice(0, 20))).toEqual({
      found: true,
      traceId: t1,
    });
    // Both ids share their time prefix: a short prefix is ambiguous.
    expect(model.findTrace(t1.slice(0, 8))).toMatchObject({
      found: false,
      reason: 'ambiguous',
    });
    expect(model.findTrace('ffff')).toMatchObject({
      found: false,
      reason: 'none',
    });
    const flat = model.flatten(t1).map((e) => `${e.depth}:${e.node.name}`);
    expect(flat).toEqual([
      '0:Service.start',
      '1:Db.open',
      '2:Db.query',
      '1:Cache.warm',
      '1:Http.get',
    ]);
  });

  test('merges files; a 16-hex parent resolves by suffix', async () => {
    const { model } = await load('merged-client.jsonl', 'merged-server.jsonl');
    const ids = model.traceIds();
    expect(ids).toHaveLength(1);
    const flat = model.flatten(ids[0]).map((e) => `${e.depth}:${e.node.name}`);
    expect(flat).toEqual([
      '0:Client.request',
      '1:Server.handle',
      '2:Db.select',
      '1:Client.render',
    ]);
    const handle = [...model.spans.values()].find(
      (s) => s.name === 'Server.handle',
    )!;
    expect(handle.parentId).toHaveLength(16);
    expect(handle.source.meta!.service).toBe('api');
    expect(model.parentOf(handle)!.source.meta!.service).toBe('web');
  });

  test('parent cycles and self-parents still draw every span once', () => {
    const model = new TraceModel();
    const issues = createIssues();
    const d = new TraceDecoder('x', model, issues);
    d.write(
      [
        spanLine({ traceId: hex32(1), spanId: hex32(2), parentId: hex32(3) }),
        spanLine({ traceId: hex32(1), spanId: hex32(3), parentId: hex32(2) }),
        spanLine({ traceId: hex32(1), spanId: hex32(4), parentId: hex32(4) }),
      ].join('\n') + '\n',
    );
    d.end();
    const flat = model.flatten(hex32(1));
    expect(flat.map((e) => e.node.spanId).sort()).toEqual(
      [hex32(2), hex32(3), hex32(4)].sort(),
    );
  });

  test('a span record replaces its open start', () => {
    const model = new TraceModel();
    const d = new TraceDecoder('x', model, createIssues());
    d.write(
      JSON.stringify({
        type: 'start',
        traceId: hex32(1),
        spanId: hex32(2),
        name: 'a',
        kind: 0,
        startTime: 10,
        attributes: {},
      }) + '\n',
    );
    expect(model.openSpans()).toHaveLength(1);
    d.write(
      spanLine({ traceId: hex32(1), spanId: hex32(2), name: 'b' }) + '\n',
    );
    expect(model.openSpans()).toHaveLength(0);
    expect(model.getSpan(hex32(1), hex32(2))!.name).toBe('b');
    expect(model.traceSpans(hex32(1))).toHaveLength(1);
  });
});
