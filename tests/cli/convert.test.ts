import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TraceModel, TraceReader } from '../../src/reader/index.js';
import { assertBuilt, fixtures, root, runCli } from './helpers.js';
import {
  ExportTraceServiceRequest,
  bytesIdsToHex,
  hexIdsToBytes,
} from '../utils/otlpProto.js';

beforeAll(assertBuilt);

async function convertJson(to: string, ...files: Array<string>): Promise<any> {
  const r = await runCli(['convert', ...files, '--to', to]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** Fields proto3 leaves off the wire when they hold their default. */
const defaultable = new Set([
  'droppedAttributesCount',
  'droppedEventsCount',
  'droppedLinksCount',
  'code',
  'message',
]);

function stripDefaults(value: any): any {
  if (Array.isArray(value)) return value.map(stripDefaults);
  if (value != null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (defaultable.has(k) && (v === 0 || v === '')) continue;
      out[k] = stripDefaults(v);
    }
    return out;
  }
  return value;
}

/** protobuf round trip: OTLP/JSON -> message -> bytes -> message -> JSON. */
function roundTrip(json: any): any {
  const message = ExportTraceServiceRequest.fromObject(
    hexIdsToBytes(json) as any,
  );
  expect(ExportTraceServiceRequest.verify(message)).toBeNull();
  const bytes = ExportTraceServiceRequest.encode(message).finish();
  const decoded = ExportTraceServiceRequest.decode(bytes);
  const out: any = bytesIdsToHex(
    ExportTraceServiceRequest.toObject(decoded, {
      longs: String,
      enums: Number,
      arrays: true,
    }),
  );
  // `arrays: true` also materialises the scope's (unused) attribute list.
  for (const rs of out.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      if (ss.scope.attributes.length === 0) delete ss.scope.attributes;
    }
  }
  return out;
}

describe('convert --to otlp', () => {
  test('decodes with the OTLP protobuf definitions; fields survive', async () => {
    const json = await convertJson('otlp', 'basic.jsonl');
    expect(roundTrip(json)).toEqual(stripDefaults(json));
    const [rs] = json.resourceSpans;
    const resource = Object.fromEntries(
      rs.resource.attributes.map((a: any) => [a.key, a.value]),
    );
    expect(resource).toEqual({
      'service.name': { stringValue: 'demo' },
      'process.pid': { intValue: '4242' },
      'host.name': { stringValue: 'box' },
      'process.runtime.name': { stringValue: 'node' },
      'process.runtime.version': { stringValue: '20.20.2' },
    });
    const spans = rs.scopeSpans[0].spans;
    const byName = Object.fromEntries(spans.map((s: any) => [s.name, s]));
    const query = byName['Db.query'];
    expect(query.kind).toBe(3); // CLIENT (ours 2) + 1
    expect(query.status).toEqual({
      code: 2,
      message: 'relation "users" does not exist',
    });
    expect(query.spanId).toHaveLength(16);
    expect(query.parentSpanId).toBe(byName['Db.open'].spanId);
    expect(query.startTimeUnixNano).toBe('1763730000001200000');
    expect(query.endTimeUnixNano).toBe('1763730000001450000');
    expect(query.events[0].timeUnixNano).toBe('1763730000001400000');
    expect(query.attributes).toEqual([
      { key: 'db.statement', value: { stringValue: 'SELECT * FROM users' } },
      { key: 'rows', value: { intValue: '0' } },
      { key: 'cached', value: { boolValue: false } },
    ]);
    const http = byName['Http.get'];
    expect(http.attributes[2]).toEqual({
      key: 'ratio',
      value: { doubleValue: 0.75 },
    });
    expect(http.links).toEqual([
      {
        traceId: http.traceId,
        spanId: query.spanId,
        attributes: [],
        droppedAttributesCount: 0,
        flags: 0x101,
      },
    ]);
    expect([http.droppedEventsCount, http.droppedLinksCount]).toEqual([1, 1]);
    expect(byName['Db.open'].droppedAttributesCount).toBe(2);
    const cache = byName['Cache.warm'];
    expect(cache.attributes).toContainEqual({
      key: 'spantrail.unfinished',
      value: { boolValue: true },
    });
    expect(cache.attributes[0]).toEqual({
      key: 'keys',
      value: {
        arrayValue: {
          values: [
            { stringValue: 'a' },
            { stringValue: 'b' },
            { stringValue: 'c' },
          ],
        },
      },
    });
  });

  test('matches what the OpenTelemetry SDK serializer encodes', async () => {
    const files = ['merged-client.jsonl', 'merged-server.jsonl'];
    const json = await convertJson('otlp', ...files);
    expect(json.resourceSpans).toHaveLength(2);
    // Independently of our mapping, build SDK ReadableSpans from the file
    // and let @opentelemetry/otlp-transformer encode them.
    const model = new TraceModel();
    await new TraceReader().readAll(
      files.map((f) => path.join(fixtures, f)),
      model,
    );
    const hr = (us: number, plusNs = 0): [number, number] => {
      const ns = BigInt(us) * 1000n + BigInt(plusNs);
      return [Number(ns / 1000000000n), Number(ns % 1000000000n)];
    };
    const resources = new Map<unknown, any>();
    const scope = { name: 'spantrail' };
    const sdkSpans = [...model.spans.values()].map((s) => {
      const meta = s.source.meta!;
      let resource = resources.get(meta);
      if (resource == null) {
        resource = {
          attributes: {
            'service.name': meta.service,
            'process.pid': meta.pid,
            'host.name': meta.host,
            'process.runtime.name': meta.runtime,
            'process.runtime.version': meta.runtimeVersion,
          },
        };
        resources.set(meta, resource);
      }
      return {
        name: s.name,
        kind: s.kind,
        spanContext: () => ({
          traceId: s.traceId,
          spanId: s.spanId.slice(16),
          traceFlags: 1,
        }),
        parentSpanContext:
          s.parentId != null
            ? {
                traceId: s.traceId,
                spanId: s.parentId.slice(-16),
                traceFlags: 1,
                isRemote: s.parentId.length === 16,
              }
            : undefined,
        startTime: hr(s.startTime),
        endTime: hr(s.startTime, s.duration),
        status: s.status,
        attributes: { ...s.attributes },
        links: [],
        events: s.events.map((e) => ({
          name: e.name,
          time: hr(e.time),
          attributes: { ...e.attributes },
        })),
        duration: hr(0, s.duration),
        ended: true,
        resource,
        instrumentationScope: scope,
        droppedAttributesCount: 0,
        droppedEventsCount: 0,
        droppedLinksCount: 0,
      };
    });
    const official = ExportTraceServiceRequest.toObject(
      ExportTraceServiceRequest.decode(
        ProtobufTraceSerializer.serializeRequest(sdkSpans as any)!,
      ),
      { longs: String, enums: Number, arrays: true },
    );
    const ours = roundTrip(json);
    const spansOf = (data: any): Array<any> =>
      data.resourceSpans
        .flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans))
        .map((s: any) => bytesIdsToHex(s))
        .sort((a: any, b: any) => (a.spanId < b.spanId ? -1 : 1));
    const a = spansOf(official);
    const b = spansOf(ours);
    expect(b).toHaveLength(4);
    for (let i = 0; i < a.length; i++) {
      const pick = (s: any): unknown => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        name: s.name,
        kind: s.kind,
        flags: s.flags,
        startTimeUnixNano: s.startTimeUnixNano,
        endTimeUnixNano: s.endTimeUnixNano,
        attributes: s.attributes,
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        events: s.events,
      });
      expect(pick(b[i])).toEqual(pick(a[i]));
    }
    const resourcesOf = (data: any): Array<unknown> =>
      data.resourceSpans.map((r: any) => r.resource.attributes);
    expect(resourcesOf(ours).sort()).toEqual(resourcesOf(official).sort());
  });
});

describe('convert --to chrome', () => {
  test('trace events are complete and lanes never overlap', async () => {
    const data = await convertJson(
      'chrome',
      'basic.jsonl',
      'merged-client.jsonl',
      'merged-server.jsonl',
    );
    const events: Array<any> = data.traceEvents;
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(typeof e.name).toBe('string');
      expect(['X', 'i', 'M']).toContain(e.ph);
      expect(typeof e.ts).toBe('number');
      expect(Number.isInteger(e.pid)).toBe(true);
      expect(Number.isInteger(e.tid)).toBe(true);
      if (e.ph === 'X') expect(e.dur).toBeGreaterThanOrEqual(0);
    }
    const spans = events.filter((e) => e.ph === 'X');
    expect(spans).toHaveLength(8 + 4);
    expect(spans.find((e) => e.name === 'Cache.warm').args.unfinished).toBe(
      true,
    );
    // On one pid/tid, spans are disjoint or nested.
    for (const a of spans) {
      for (const b of spans) {
        if (a === b || a.pid !== b.pid || a.tid !== b.tid) continue;
        const [a0, a1, b0, b1] = [a.ts, a.ts + a.dur, b.ts, b.ts + b.dur];
        const overlap = a0 < b1 && b0 < a1;
        const nested = (a0 <= b0 && b1 <= a1) || (b0 <= a0 && a1 <= b1);
        expect(!overlap || nested).toBe(true);
      }
    }
    // The concurrent tasks of Job.run got different lanes.
    const tid = (n: string): number => spans.find((e) => e.name === n).tid;
    expect(tid('Task.a')).not.toBe(tid('Task.b'));
    // Process names from meta records.
    const names = events
      .filter((e) => e.ph === 'M' && e.name === 'process_name')
      .map((e) => e.args.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'demo (pid 4242)',
        'web (pid 1001)',
        'api (pid 2002)',
      ]),
    );
  });
});

describe('convert --to speedscope', () => {
  test("validates against speedscope's shipped schema", async () => {
    const schema = JSON.parse(
      fs.readFileSync(
        path.join(
          root,
          'node_modules/speedscope/dist/release/file-format-schema.json',
        ),
        'utf8',
      ),
    );
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(schema);
    for (const files of [
      ['basic.jsonl'],
      ['legacy.jsonl'],
      ['merged-client.jsonl', 'merged-server.jsonl'],
    ]) {
      const data = await convertJson('speedscope', ...files);
      expect(validate(data)).toBe(true);
      expect(validate.errors ?? null).toBeNull();
      // Evented profiles must open and close frames like a stack.
      for (const p of data.profiles) {
        const stack: Array<number> = [];
        let at = -Infinity;
        for (const e of p.events) {
          expect(e.at).toBeGreaterThanOrEqual(at);
          at = e.at;
          if (e.type === 'O') stack.push(e.frame);
          else expect(stack.pop()).toBe(e.frame);
        }
        expect(stack).toEqual([]);
      }
    }
  });
});

describe('convert errors', () => {
  test('unknown --to, missing --to, missing file, not a trace', async () => {
    const unknown = await runCli(['convert', 'basic.jsonl', '--to', 'xml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown --to 'xml'/);
    const none = await runCli(['convert', 'basic.jsonl']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--to is required/);
    const missing = await runCli(['convert', 'nope.jsonl', '--to', 'otlp']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('spantrail: no such file: nope.jsonl\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-'));
    const notTrace = path.join(dir, 'notes.txt');
    fs.writeFileSync(notTrace, 'hello\nworld\n{"a":1}\n');
    const bad = await runCli(['convert', notTrace, '--to', 'otlp']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a spantrail trace/);
    const out = path.join(dir, 'out.json');
    const ok = await runCli([
      'convert',
      'basic.jsonl',
      '--to',
      'chrome',
      '-o',
      out,
    ]);
    expect(ok.code).toBe(0);
    expect(
      JSON.parse(fs.readFileSync(out, 'utf8')).traceEvents.length,
    ).toBeGreaterThan(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
