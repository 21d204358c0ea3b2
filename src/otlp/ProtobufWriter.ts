const textEncoder = new TextEncoder();

// Room left for a length prefix before a nested message: a varint of a
// 32-bit length takes at most 5 bytes.
const lengthRoom = 5;

/** Wire types of the protobuf encoding. */
const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LEN: 2,
  FIXED32: 5,
} as const;

function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/**
 * The few protobuf wire operations OTLP needs, into one growing buffer.
 * Nested messages are written in place: `fork` leaves room for the length,
 * `join` writes it and closes the gap, so nothing is encoded twice.
 */
class ProtobufWriter {
  protected buffer: Uint8Array;
  protected view: DataView;
  protected pos = 0;
  protected starts: Array<number> = [];

  public constructor(initialSize: number = 4096) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  /** The bytes written so far (a view, valid until the next write). */
  public finish(): Uint8Array {
    return this.buffer.subarray(0, this.pos);
  }

  public tag(field: number, wireType: number): this {
    return this.uint32((field << 3) | wireType);
  }

  /** A non-negative integer below 2^32 as a varint. */
  public uint32(n: number): this {
    this.ensure(5);
    const b = this.buffer;
    n >>>= 0;
    while (n >= 0x80) {
      b[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[this.pos++] = n;
    return this;
  }

  /**
   * A signed 64-bit integer as a varint (`int64`), from a safe integer;
   * negatives take ten bytes, as two's complement.
   */
  public int64(n: number): this {
    if (n >= 0 && n <= 0xffffffff) return this.uint32(n);
    let v = BigInt.asUintN(64, BigInt(n));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buffer[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.pos++] = Number(v);
    return this;
  }

  public fixed32(n: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, n >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** An unsigned 64-bit integer given as a decimal string or bigint. */
  public fixed64(n: string | bigint): this {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, BigInt(n)), true);
    this.pos += 8;
    return this;
  }

  public double(n: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
    return this;
  }

  /** A length-delimited UTF-8 string (without its tag). */
  public string(s: string): this {
    // UTF-8 never takes more than 3 bytes per UTF-16 code unit
    const max = s.length * 3;
    this.ensure(max + lengthRoom);
    if (max < 0x80) {
      const r = textEncoder.encodeInto(
        s,
        this.buffer.subarray(this.pos + 1, this.pos + 1 + max),
      );
      this.buffer[this.pos] = r.written;
      this.pos += 1 + r.written;
      return this;
    }
    this.fork();
    const r = textEncoder.encodeInto(
      s,
      this.buffer.subarray(this.pos, this.pos + max),
    );
    this.pos += r.written;
    return this.join();
  }

  /** Length-delimited bytes from lowercase hex (ids), without its tag. */
  public hexBytes(hex: string): this {
    const n = hex.length >>> 1;
    this.uint32(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      this.buffer[this.pos++] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return this;
  }

  /** Starts a nested message: what follows until `join` is its body. */
  public fork(): this {
    this.ensure(lengthRoom);
    this.starts.push(this.pos);
    this.pos += lengthRoom;
    return this;
  }

  /** Ends the innermost `fork`, writing the body's length before it. */
  public join(): this {
    const start = this.starts.pop()!;
    const bodyStart = start + lengthRoom;
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size < lengthRoom) {
      this.buffer.copyWithin(start + size, bodyStart, this.pos);
    }
    this.pos = start;
    this.uint32(length);
    this.pos = start + size + length;
    return this;
  }

  protected ensure(n: number): void {
    if (this.pos + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

export default ProtobufWriter;
export { WireType };
