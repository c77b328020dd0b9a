/**
 * Tests of the protobuf wire reader against protobufjs's writer (an
 * independent encoder): every value written by protobufjs reads back equal,
 * and truncated or random bytes give an InvalidModelError, never another
 * exception or a hang.
 */
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { InvalidModelError } from "../../errors.js";
import { decodeOnnxModel } from "./proto.js";
import { WireReader, WireType } from "./wire.js";

type Field =
  | { kind: "int64"; value: number }
  | { kind: "int32"; value: number }
  | { kind: "float"; value: number }
  | { kind: "double"; value: number }
  | { kind: "string"; value: string }
  | { kind: "packed"; value: number[] };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).map((value) => ({ kind: "int64" as const, value })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ kind: "int32" as const, value })),
  fc.float({ noNaN: true }).map((value) => ({ kind: "float" as const, value })),
  fc.double({ noNaN: true }).map((value) => ({ kind: "double" as const, value })),
  fc.string().map((value) => ({ kind: "string" as const, value })),
  fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { maxLength: 8 }).map((value) => ({ kind: "packed" as const, value })),
);

function encode(fields: readonly Field[]): Uint8Array {
  const w = protobuf.Writer.create();
  fields.forEach((f, i) => {
    const number = i + 1;
    switch (f.kind) {
      case "int64": w.uint32((number << 3) | WireType.varint).int64(f.value); break;
      case "int32": w.uint32((number << 3) | WireType.varint).int32(f.value); break;
      case "float": w.uint32((number << 3) | WireType.fixed32).float(f.value); break;
      case "double": w.uint32((number << 3) | WireType.fixed64).double(f.value); break;
      case "string": w.uint32((number << 3) | WireType.lengthDelimited).string(f.value); break;
      case "packed": {
        w.uint32((number << 3) | WireType.lengthDelimited).fork();
        for (const v of f.value) w.int64(v);
        w.ldelim();
        break;
      }
    }
  });
  return w.finish();
}

function decode(bytes: Uint8Array, fields: readonly Field[]): unknown[] {
  const r = new WireReader(bytes, 0, bytes.length, "test", "Message");
  const out: unknown[] = [];
  while (!r.done()) {
    const h = r.header();
    const f = fields[h.field - 1]!;
    switch (f.kind) {
      case "int64": out.push(r.int64()); break;
      case "int32": out.push(r.int32()); break;
      case "float": out.push(r.float32()); break;
      case "double": out.push(r.float64()); break;
      case "string": out.push(r.string()); break;
      case "packed": {
        const values: number[] = [];
        r.repeatedInt64(h.wireType, values);
        out.push(values);
        break;
      }
    }
  }
  return out;
}

describe("WireReader", () => {
  it("reads back what protobufjs writes (int64 incl. negatives, int32, float, double, string, packed)", () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const expected = fields.map((f) => (f.kind === "float" ? Math.fround(f.value) : f.value));
        expect(decode(encode(fields), fields)).toEqual(expected);
      }),
    );
  });

  it("reads the 10-byte varint of -1 and the largest safe integer", () => {
    const fields: Field[] = [{ kind: "int64", value: -1 }, { kind: "int64", value: Number.MAX_SAFE_INTEGER }];
    const bytes = encode(fields);
    expect(bytes.length).toBe(1 + 10 + 1 + 8);
    expect(decode(bytes, fields)).toEqual([-1, Number.MAX_SAFE_INTEGER]);
  });

  it("every strict prefix of a message that ends inside a value throws InvalidModelError naming the source", () => {
    const fields: Field[] = [{ kind: "string", value: "conv1" }, { kind: "int64", value: 300 }, { kind: "double", value: 1.5 }];
    const bytes = encode(fields);
    const boundaries = new Set([0, 7, 10]); // ends of whole fields: 1+1+5, +1+2, +1+8 = 19
    for (let cut = 1; cut < bytes.length; cut++) {
      const prefix = bytes.subarray(0, cut);
      if (boundaries.has(cut)) continue;
      expect(() => decode(prefix, fields)).toThrow(InvalidModelError);
      expect(() => decode(prefix, fields)).toThrow(/^test: truncated or malformed protobuf at byte \d+/);
    }
  });

  it("random bytes decode as an ONNX model or fail with InvalidModelError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeOnnxModel(bytes, "fuzz.onnx");
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidModelError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
