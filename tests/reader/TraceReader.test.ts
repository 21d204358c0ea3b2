import { Readable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { TraceModel, TraceReader } from '../../src/reader/index.js';
import { fixture, load, hex32, spanLine } from './utils.js';

describe('TraceReader', () => {
  test('skips and counts malformed, unknown and torn lines', async () => {
    const { model, reader } = await load('basic.jsonl');
    expect(reader.issues.malformed).toBe(1);
    expect(reader.issues.unknown).toBe(1);
    expect(reader.issues.torn).toBe(1);
    expect(reader.issues.samples.map((s) => s.line)).toEqual([10, 19]);
    expect(model.spans.size).toBe(8);
    expect(model.droppedRecords).toBe(3);
  });

  test('reads a stream split at arbitrary byte boundaries (UTF-8 safe)', async () => {
    const text =
      spanLine({ traceId: hex32(1), spanId: hex32(2), name: 'héllo ✓ 名前' }) +
      '\n' +
      spanLine({ traceId: hex32(1), spanId: hex32(3), parentId: hex32(2) }) +
      '\n';
    const bytes = Buffer.from(text);
    const chunks: Array<Buffer> = [];
    for (let i = 0; i < bytes.length; i += 3)
      chunks.push(bytes.subarray(i, i + 3));
    const model = new TraceModel();
    const reader = new TraceReader();
    const result = await reader.read(
      { name: 'mem', stream: Readable.from(chunks) },
      model,
    );
    expect(result.records).toBe(2);
    expect(model.getSpan(hex32(1), hex32(2))!.name).toBe('héllo ✓ 名前');
    expect(model.childrenOf(model.getSpan(hex32(1), hex32(2))!)).toHaveLength(
      1,
    );
  });

  test('a valid last line without newline is a record, not torn', async () => {
    const model = new TraceModel();
    const reader = new TraceReader();
    await reader.read(
      {
        name: 'mem',
        stream: Readable.from([
          spanLine({ traceId: hex32(1), spanId: hex32(2) }),
        ]),
      },
      model,
    );
    expect(model.spans.size).toBe(1);
    expect(reader.issues.torn).toBe(0);
  });

  test('missing file is a TraceReadError', async () => {
    await expect(
      new TraceReader().read(fixture('nope.jsonl'), new TraceModel()),
    ).rejects.toMatchObject({ name: 'TraceReadError', code: 'ENOENT' });
  });
});
