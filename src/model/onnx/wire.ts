/**
 * A small reader for the protobuf binary wire format, enough to decode the
 * ONNX messages the importer needs (IONN §4: the client's model must be
 * described layer by layer before it can be partitioned).
 *
 * Why our own reader and not a dependency: ONNX needs six messages and a
 * dozen fields; the wire format is four wire types (varint, 64-bit,
 * length-delimited, 32-bit) described in one page
 * ([Reference]: https://protobuf.dev/programming-guides/encoding/). A reader
 * of ~150 lines keeps the package free of runtime dependencies, never copies
 * large weight blobs (length-delimited fields are returned as views into the
 * caller's buffer), and reports truncation with the byte offset and the
 * message path, which a generic decoder cannot. It is tested against
 * protobufjs's encoder (a devDependency only).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";

/** Protobuf wire types. */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  fixed32: 5,
} as const;

/** One field occurrence: its number, wire type and where its value starts. */
export interface FieldHeader {
  readonly field: number;
  readonly wireType: number;
}

const TWO_POW_32 = 4294967296;

/**
 * Sequential reader over one protobuf message (a slice of a buffer).
 *
 * Every read checks bounds and throws {@link InvalidModelError} naming the
 * source, the absolute byte offset and the message being read.
 */
export class WireReader {
  private pos: number;
  private readonly view: DataView;

  /**
   * @param bytes the whole buffer (values are views into it)
   * @param start first byte of the message (default 0)
   * @param end one past its last byte (default `bytes.length`)
   * @param source file name for error messages (default `"<onnx>"`)
   * @param context message path for error messages (e.g. `ModelProto.graph.node[3]`)
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
    readonly source = "<onnx>",
    readonly context = "message",
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True when the whole message has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** The whole message's bytes (a view, no copy). */
  messageBytes(): Uint8Array {
    return this.bytes.subarray(this.start, this.end);
  }

  /** Current absolute offset. */
  offset(): number {
    return this.pos;
  }

  private fail(what: string): never {
    throw new InvalidModelError(
      `${this.source}: truncated or malformed protobuf at byte ${this.pos} while reading ${what} of ${this.context}`,
    );
  }

  /** Read a field key. */
  header(): FieldHeader {
    const key = this.varintParts();
    const field = Math.floor(key.lo / 8) + key.hi * (TWO_POW_32 / 8);
    const wireType = key.lo & 7;
    if (field === 0) this.fail("a field key (field number 0)");
    return { field, wireType };
  }

  /** Read a varint as its low and high 32-bit halves (unsigned). */
  private varintParts(): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("a varint");
      const b = this.bytes[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo += bits * 2 ** (7 * i);
      else if (i === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >> 4;
      } else hi += bits * 2 ** (7 * (i - 5) + 3);
      if ((b & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    return this.fail("a varint (longer than 10 bytes)");
  }

  /** Read a varint as a signed 64-bit integer (two's complement), as a JS number (exact up to 2^53). */
  int64(): number {
    const { lo, hi } = this.varintParts();
    if (hi & 0x80000000) {
      // negative: -(2^64 - value)
      const nlo = (~lo >>> 0) + 1;
      const nhi = ~hi >>> 0;
      return -(nhi * TWO_POW_32 + nlo);
    }
    return hi * TWO_POW_32 + lo;
  }

  /** Read a varint as a signed 32-bit integer (protobuf `int32`, `enum`). */
  int32(): number {
    return this.varintParts().lo | 0;
  }

  /** Read a little-endian float32 (`float`, wire type 5). */
  float32(): number {
    if (this.pos + 4 > this.end) this.fail("a float");
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** Read a little-endian float64 (`double`, wire type 1). */
  float64(): number {
    if (this.pos + 8 > this.end) this.fail("a double");
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Read a length-delimited field's bytes as a view (no copy). */
  bytesView(): Uint8Array {
    const length = this.int64();
    if (length < 0 || this.pos + length > this.end) this.fail(`a length-delimited field of ${length} bytes`);
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  /** Read a length-delimited field as UTF-8 text. */
  string(): string {
    return textDecoder.decode(this.bytesView());
  }

  /** A reader over an embedded message (length-delimited), positioned past it. */
  message(context: string): WireReader {
    const length = this.int64();
    if (length < 0 || this.pos + length > this.end) this.fail(`embedded message ${context} of ${length} bytes`);
    const sub = new WireReader(this.bytes, this.pos, this.pos + length, this.source, context);
    this.pos += length;
    return sub;
  }

  /**
   * Read a repeated integer field occurrence: packed (wire type 2, several
   * varints) or not (one varint). Appends to `out`.
   */
  repeatedInt64(wireType: number, out: number[]): void {
    if (wireType === WireType.lengthDelimited) {
      const sub = this.message(`${this.context} (packed integers)`);
      while (!sub.done()) out.push(sub.int64());
    } else if (wireType === WireType.varint) out.push(this.int64());
    else this.fail(`a repeated integer with wire type ${wireType}`);
  }

  /** Read a repeated float field occurrence, packed or not. Appends to `out`. */
  repeatedFloat32(wireType: number, out: number[]): void {
    if (wireType === WireType.lengthDelimited) {
      const sub = this.message(`${this.context} (packed floats)`);
      while (!sub.done()) out.push(sub.float32());
    } else if (wireType === WireType.fixed32) out.push(this.float32());
    else this.fail(`a repeated float with wire type ${wireType}`);
  }

  /** Read a repeated double field occurrence, packed or not. Appends to `out`. */
  repeatedFloat64(wireType: number, out: number[]): void {
    if (wireType === WireType.lengthDelimited) {
      const sub = this.message(`${this.context} (packed doubles)`);
      while (!sub.done()) out.push(sub.float64());
    } else if (wireType === WireType.fixed64) out.push(this.float64());
    else this.fail(`a repeated double with wire type ${wireType}`);
  }

  /** Skip a field's value of the given wire type (unknown fields). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.varintParts();
        return;
      case WireType.fixed64:
        if (this.pos + 8 > this.end) this.fail("a 64-bit field");
        this.pos += 8;
        return;
      case WireType.lengthDelimited:
        this.bytesView();
        return;
      case WireType.fixed32:
        if (this.pos + 4 > this.end) this.fail("a 32-bit field");
        this.pos += 4;
        return;
      default:
        this.fail(`a field with unsupported wire type ${wireType}`);
    }
  }

  /** Throw unless the field has the expected wire type. */
  expect(header: FieldHeader, wireType: number, name: string): void {
    if (header.wireType !== wireType) {
      this.fail(`field ${name} (#${header.field}): wire type ${header.wireType}, expected ${wireType}`);
    }
  }
}

const textDecoder = new TextDecoder("utf-8");
const textEncoder = new TextEncoder();

/**
 * A minimal protobuf writer (varints, length-delimited fields) for the
 * sub-models the ONNX Runtime executor builds from verbatim pieces of a file.
 */
export class WireWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  /** Write a non-negative integer as a varint. */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`WireWriter.varint: ${value} is not a non-negative safe integer`);
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return this.push(Uint8Array.from(out));
  }

  /** Write a field key. */
  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** Write a varint field. */
  uint(field: number, value: number): this {
    return this.tag(field, WireType.varint).varint(value);
  }

  /** Write a length-delimited field holding `bytes`. */
  bytes(field: number, bytes: Uint8Array): this {
    return this.tag(field, WireType.lengthDelimited).varint(bytes.length).push(bytes);
  }

  /** Write a string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
