import fc from 'fast-check';

// Lines for the parser property tests: records in the tracer's layout
// (some fields pushed past validity) and garbage near that layout.

const hexChars = '0123456789abcdef';
const hexId = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...hexChars), minLength: n, maxLength: n });

/** Strings that stress the escaper: quotes, controls, bidi, surrogates. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '</script>',
    '<img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '\u202eevil\u202c',
    '"\\\n\t',
    '\ud800',
    '__proto__',
    '',
  ),
);

const attrValue = fc.oneof(
  text,
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.array(text, { maxLength: 3 }),
  fc.constant(null),
  fc.constant({ nested: 1 }),
  fc.array(fc.oneof(fc.integer(), text), { maxLength: 3 }),
);

const attributes = fc.dictionary(
  fc.oneof(text, fc.constant('__proto__')),
  attrValue,
  {
    maxKeys: 5,
  },
);

const event = fc.record(
  {
    name: text,
    time: fc.oneof(fc.nat(), fc.double()),
    attributes,
    dropped: fc.nat(),
  },
  { requiredKeys: ['name', 'time'] },
);

const link = fc.record(
  {
    traceId: hexId(32),
    spanId: fc.oneof(hexId(32), hexId(16)),
    attributes,
  },
  { requiredKeys: ['traceId', 'spanId'] },
);

/** Records in the writer's key order, some fields varied past validity. */
const record: fc.Arbitrary<string> = fc
  .record({
    type: fc.constantFrom('span', 'start'),
    traceId: fc.oneof(hexId(32), hexId(31), fc.constant('ABC')),
    spanId: hexId(32),
    parentId: fc.option(fc.oneof(hexId(32), hexId(16), hexId(20)), {
      nil: undefined,
    }),
    name: text,
    kind: fc.oneof(fc.nat(6), fc.double()),
    startTime: fc.oneof(
      fc.nat(),
      fc.constant(1763730000000000),
      fc.constant(2 ** 53 + 2),
      fc.double(),
    ),
    duration: fc.oneof(fc.nat(), fc.integer(), fc.constant(0)),
    status: fc.oneof(
      fc.record({ code: fc.nat(3) }),
      fc.record({ code: fc.nat(3), message: text }),
      fc.constant('bad'),
    ),
    attributes,
    events: fc.array(event, { maxLength: 2 }),
    links: fc.array(link, { maxLength: 2 }),
    dropped: fc.option(
      fc.record(
        { attributes: fc.nat(), events: fc.nat(), links: fc.integer() },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const out: Record<string, unknown> = {
      type: r.type,
      traceId: r.traceId,
      spanId: r.spanId,
    };
    if (r.parentId !== undefined) out.parentId = r.parentId;
    out.name = r.name;
    out.kind = r.kind;
    out.startTime = r.startTime;
    if (r.type === 'span') {
      out.duration = r.duration;
      out.status = r.status;
    }
    out.attributes = r.attributes;
    if (r.type === 'span') {
      out.events = r.events;
      out.links = r.links;
      if (r.dropped !== undefined) out.dropped = r.dropped;
    }
    return JSON.stringify(out);
  });

/** Lines near the layout: the generated record, cut or spliced. */
const garbage: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.tuple(record, fc.nat(), fc.nat(), fc.string()).map(([line, a, b, s]) => {
    const i = a % (line.length + 1);
    return line.slice(0, i) + s + line.slice(i + (b % 4));
  }),
  record.map((line) => line + ' \r'),
  record.map((line) => line.replace(/:/g, ': ')),
  fc.nat(5000).map((n) => '{"type":"span","traceId":' + '['.repeat(n)),
);

export { record, garbage };
