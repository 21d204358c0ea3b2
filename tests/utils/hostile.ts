import fc from 'fast-check';

// Hostile values for the property tests: what an attacker or an unlucky
// program might hand a public function.

function thrower(): never {
  throw new Error('hostile');
}

const throwingTraps: ProxyHandler<any> = {
  get: thrower,
  has: thrower,
  ownKeys: thrower,
  getOwnPropertyDescriptor: thrower,
  getPrototypeOf: thrower,
  set: thrower,
  defineProperty: thrower,
  deleteProperty: thrower,
  apply: thrower,
};

/** Builds one hostile value per call: fresh objects for every use. */
const hostileMakers: Record<string, () => unknown> = {
  throwingGetter: () => ({
    get a() {
      return thrower();
    },
    b: 1,
  }),
  throwingIndexArray: () => {
    const a: Array<unknown> = [1, 2, 3];
    Object.defineProperty(a, 1, { get: thrower, enumerable: true });
    return a;
  },
  proxy: () => new Proxy({}, throwingTraps),
  arrayProxy: () => new Proxy([1, 2], throwingTraps),
  functionProxy: () => new Proxy(() => 1, throwingTraps),
  revokedProxy: () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  },
  revokedArrayProxy: () => {
    const r = Proxy.revocable([1], {});
    r.revoke();
    return r.proxy;
  },
  throwingToString: () => ({ toString: thrower, valueOf: thrower }),
  throwingToJSON: () => ({ toJSON: thrower }),
  throwingToPrimitive: () => ({ [Symbol.toPrimitive]: thrower }),
  nullProto: () => Object.create(null),
  nullProtoWithKeys: () => Object.assign(Object.create(null), { k: 1 }),
  hugeString: () => 'x'.repeat(1 << 20) + '\u{1F600}',
  loneHigh: () => 'a\ud800b',
  loneLow: () => '\udc00',
  cutPair: () => 'x'.repeat(4095) + '\u{1F600}',
  nan: () => NaN,
  inf: () => Infinity,
  negInf: () => -Infinity,
  huge: () => 1e300,
  negHuge: () => -1e20,
  invalidDate: () => new Date('x'),
  nanPair: () => [NaN, 0],
  infPair: () => [Infinity, 0],
  hugeDate: () => new Date(8.64e15),
  bigint: () => 10n ** 40n,
  symbol: () => Symbol('s'),
  fn: () => thrower,
  circular: () => {
    const o: any = {};
    o.o = o;
    return o;
  },
  fakeDate: () => Object.create(Date.prototype),
  fakeSpanContext: () => ({ traceId: 'x'.repeat(32), spanId: 'NaN' }),
  getterSpanContext: () => {
    let n = 0;
    return {
      get traceId() {
        return n++ === 0 ? 'a'.repeat(32) : 'not hex';
      },
      spanId: 'b'.repeat(16),
    };
  },
  fakeStatus: () => ({
    code: 2,
    get message() {
      return thrower();
    },
  }),
  hugeStatus: () => ({ code: 2, message: 'm'.repeat(1 << 16) }),
  hugeKeys: () => ({ ['k'.repeat(10_000)]: 'v' }),
  // fine the first time, hostile after: a value read twice behaves
  // differently, so a tracer reading it changes what the program sees
  secondToStringThrows: () => {
    let n = 0;
    return {
      toString: () => (n++ === 0 ? 'first' : thrower()),
    };
  },
  onlySecondToStringThrows: () => {
    let n = 0;
    return {
      toString: () => (n++ === 1 ? thrower() : 'fine'),
    };
  },
  secondIndexThrows: () => {
    let n = 0;
    const a: Array<unknown> = ['a', 'b'];
    Object.defineProperty(a, 0, {
      get: () => (n++ === 0 ? 'first' : thrower()),
      enumerable: true,
    });
    return a;
  },
};

/**
 * A hostile value is made fresh where it is used: fast-check prints the
 * generated values, and a revoked Proxy cannot be printed.
 */
class Hostile {
  public constructor(
    public readonly label: string,
    public readonly make: () => unknown,
  ) {}

  public [fc.toStringMethod](): string {
    return this.label;
  }
}

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...Object.keys(hostileMakers))
      .map((k) => new Hostile(k, hostileMakers[k])),
  },
  {
    weight: 1,
    arbitrary: fc.anything().map((v) => new Hostile(fc.stringify(v), () => v)),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 40 })
      .map((v) => new Hostile(JSON.stringify(v), () => v)),
  },
);

/** The label of a record of hostile values: `{key: label, ...}`. */
function recordLabel(r: Record<string, Hostile>): string {
  return `{${Object.entries(r)
    .map(([k, h]) => `${k}: ${h.label}`)
    .join(', ')}}`;
}

/** A sane value, as a `Hostile` for generators that mix both. */
function plain(label: string, value: unknown): Hostile {
  return new Hostile(label, () => value);
}

/**
 * An object with some of `fields`, each made fresh from its arbitrary, or a
 * hostile value in its place.
 */
function hostileRecord(
  fields: Record<string, fc.Arbitrary<Hostile>>,
): fc.Arbitrary<Hostile> {
  return fc.oneof(
    hostile,
    fc
      .record(fields, { requiredKeys: [] })
      .map((r) => r as Record<string, Hostile>)
      .map(
        (r) =>
          new Hostile(recordLabel(r), () =>
            Object.fromEntries(
              Object.entries(r).map(([k, h]) => [k, h.make()]),
            ),
          ),
      ),
  );
}

/** An array of values made fresh from `item`, or a hostile value. */
function hostileArray(item: fc.Arbitrary<Hostile>): fc.Arbitrary<Hostile> {
  return fc.oneof(
    hostile,
    fc
      .array(item, { maxLength: 3 })
      .map(
        (a) =>
          new Hostile(`[${a.map((h) => h.label).join(', ')}]`, () =>
            a.map((h) => h.make()),
          ),
      ),
  );
}

/** One call of a property's program; fast-check prints its label. */
class Call<S> {
  public constructor(
    public readonly label: string,
    public readonly run: (state: S) => void,
  ) {}

  public [fc.toStringMethod](): string {
    return this.label;
  }
}

/** Runs `make`: it returns, or throws one of `errors` (the documented). */
function returnsOrThrows(
  make: () => unknown,
  errors: Array<new (...args: Array<any>) => Error>,
): unknown {
  try {
    return make();
  } catch (e) {
    if (!errors.some((E) => e instanceof E)) throw e;
    // the message was made without running the value's code
    if (typeof (e as Error).message !== 'string') throw e;
    return undefined;
  }
}

export {
  Call,
  Hostile,
  hostile,
  hostileArray,
  hostileMakers,
  hostileRecord,
  plain,
  recordLabel,
  returnsOrThrows,
  thrower,
  throwingTraps,
};
