/**
 * Tests of the protobuf text-format parser and its caffe.proto normalisation.
 * Expected values are written by hand from the text of each snippet.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidModelError, ParseError } from "../../errors.js";
import { parsePrototxt, parseTextFormat, type TextFormatMessage, type TextFormatValue } from "./prototxt.js";

/** Plain view of a generic message: [name, value] pairs (messages recursively). */
type Plain = [string, unknown][];
function plain(msg: TextFormatMessage): Plain {
  return msg.fields.map((f) => [f.name, typeof f.value === "object" && f.value.kind === "message" ? plain(f.value) : f.value]);
}

function parseError(text: string, source = "t.prototxt"): ParseError {
  try {
    parseTextFormat(text, source);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error("expected a ParseError");
}

describe("parseTextFormat(text) values", () => {
  it("reads scalars, enums, booleans, strings and nested messages in all block styles", () => {
    const text = [
      "# a comment line",
      'name: "AlexNet"  # trailing comment',
      "layer {",
      "  num: 96, neg: -3; flt: 0.0001 exp: 1e-5 big: 2.5E+3 dot: .5 suf: 1.5f hex: 0x1F",
      "  pool: MAX on: true off: false",
      "  sub: { a: 1 } sub2 { b: 2 } sub3 < c: 3 >",
      "}",
    ].join("\n");
    expect(plain(parseTextFormat(text))).toEqual([
      ["name", "AlexNet"],
      [
        "layer",
        [
          ["num", 96],
          ["neg", -3],
          ["flt", 0.0001],
          ["exp", 1e-5],
          ["big", 2500],
          ["dot", 0.5],
          ["suf", 1.5],
          ["hex", 31],
          ["pool", { kind: "enum", name: "MAX" }],
          ["on", true],
          ["off", false],
          ["sub", [["a", 1]]],
          ["sub2", [["b", 2]]],
          ["sub3", [["c", 3]]],
        ],
      ],
    ]);
  });

  it("reads inf, -inf and nan", () => {
    const [a, b, c, d] = parseTextFormat("a: inf b: -inf c: nan d: -Infinity").fields.map((f) => f.value);
    expect(a).toBe(Infinity);
    expect(b).toBe(-Infinity);
    expect(Number.isNaN(c)).toBe(true);
    expect(d).toBe(-Infinity);
  });

  it("decodes string escapes and concatenates adjacent literals", () => {
    const text = String.raw`s: "a\"b\\c\n\t\x41\101\u00e9" 'single \'q\'' t: "x" "y"`;
    const [s, t] = parseTextFormat(text).fields.map((f) => f.value);
    expect(s).toBe("a\"b\\c\n\tAAé" + "single 'q'");
    expect(t).toBe("xy");
  });

  it("expands list values into repeated occurrences", () => {
    expect(plain(parseTextFormat("dim: [1, 3, 224, 224] m: [{a: 1}, {a: 2}] e: []"))).toEqual([
      ["dim", 1],
      ["dim", 3],
      ["dim", 224],
      ["dim", 224],
      ["m", [["a", 1]]],
      ["m", [["a", 2]]],
    ]);
  });

  it("records 1-based line and column of each field", () => {
    const msg = parseTextFormat("a: 1\n  b {\n\tc: 2 }");
    expect(msg.fields.map((f) => [f.name, f.line, f.column])).toEqual([
      ["a", 1, 1],
      ["b", 2, 3],
    ]);
    const inner = msg.fields[1]!.value as TextFormatMessage;
    expect([inner.fields[0]!.line, inner.fields[0]!.column]).toEqual([3, 2]);
  });

  it("round-trips random messages written with random layout (property)", () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const scalar: fc.Arbitrary<TextFormatValue> = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.double({ noNaN: true, min: -1e30, max: 1e30 }).filter((x) => !Object.is(x, -0)),
      fc.string({ maxLength: 12 }),
      fc.boolean(),
      fc.stringMatching(/^[A-Z][A-Z_]{0,6}$/).map((n): TextFormatValue => ({ kind: "enum", name: n })),
    );
    const { message } = fc.letrec<{ message: TextFormatMessage; field: [string, TextFormatValue] }>((tie) => ({
      field: fc.tuple(name, fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("message"))),
      message: fc
        .array(tie("field"), { maxLength: 5 })
        .map((fields): TextFormatMessage => ({ kind: "message", fields: fields.map(([n, v]) => ({ name: n, value: v, line: 0, column: 0 })) })),
    }));
    const layout = fc.record({ sep: fc.constantFrom(" ", "\n", " , ", ";\n", " # note\n"), colonBlock: fc.boolean() });
    const write = (msg: TextFormatMessage, l: { sep: string; colonBlock: boolean }): string =>
      msg.fields
        .map((f) => {
          const v = f.value;
          if (typeof v === "object") {
            if (v.kind === "enum") return `${f.name}: ${v.name}`;
            return `${f.name}${l.colonBlock ? ":" : ""} {\n${write(v, l)}\n}`;
          }
          if (typeof v === "string") return `${f.name}: ${JSON.stringify(v)}`;
          if (typeof v === "number") return `${f.name}: ${v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v)}`;
          return `${f.name}: ${v}`;
        })
        .join(l.sep);
    const strip = (msg: TextFormatMessage): unknown =>
      msg.fields.map((f) => [f.name, typeof f.value === "object" && f.value.kind === "message" ? strip(f.value) : f.value]);
    fc.assert(
      fc.property(message, layout, (msg, l) => {
        expect(strip(parseTextFormat(write(msg, l)))).toEqual(strip(msg));
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseTextFormat(text) errors carry line, column and source", () => {
  it("an unclosed brace points at the '{' that is never closed", () => {
    const e = parseError('layer {\n  name: "a"\n');
    expect([e.line, e.column, e.source]).toEqual([1, 7, "t.prototxt"]);
    expect(e.message).toMatch(/^t\.prototxt:1:7: .*never closed/);
    expect(e).toBeInstanceOf(InvalidModelError);
  });

  it("an extra closing brace points at it", () => {
    const e = parseError("a: 1\n}\n");
    expect([e.line, e.column]).toEqual([2, 1]);
    expect(e.message).toMatch(/unbalanced '}'/);
  });

  it("a mismatched closing delimiter", () => {
    const e = parseError("a <\n b: 1 }");
    expect([e.line, e.column]).toEqual([2, 7]);
  });

  it("a missing value before a closing brace", () => {
    const e = parseError("layer {\n  num_output:\n}");
    expect([e.line, e.column]).toEqual([3, 1]);
    expect(e.message).toMatch(/missing value for field 'num_output'/);
  });

  it("a missing value followed by the next field", () => {
    const e = parseError("convolution_param {\n  num_output:\n  kernel_size: 3\n}");
    expect([e.line, e.column]).toEqual([3, 3]);
    expect(e.message).toMatch(/missing value for field 'num_output'/);
  });

  it("a missing value at end of input", () => {
    const e = parseError("a: ");
    expect([e.line, e.column]).toEqual([1, 4]);
  });

  it("a bad token", () => {
    const e = parseError('layer {\n  name: "a" @\n}');
    expect([e.line, e.column]).toEqual([2, 13]);
    expect(e.message).toMatch(/unexpected character '@'/);
  });

  it("a malformed number", () => {
    const e = parseError("x: 1\nkernel_size: 3x3");
    expect([e.line, e.column]).toEqual([2, 14]);
    expect(e.message).toMatch(/malformed number '3x3'/);
  });

  it("an unterminated string (the line ends first)", () => {
    const e = parseError('layer {\n  name: "abc\n}');
    expect([e.line, e.column]).toEqual([2, 9]);
    expect(e.message).toMatch(/unterminated string/);
  });

  it("a field name without ':' or '{'", () => {
    const e = parseError("layer\n  name");
    expect([e.line, e.column]).toEqual([2, 3]);
  });

  it("a value where a field name is expected", () => {
    const e = parseError('a: 1 "stray"');
    expect([e.line, e.column]).toEqual([1, 6]);
  });

  it("the default source label is <input>", () => {
    expect(() => parseTextFormat("}")).toThrow(/^<input>:1:1: /);
  });
});

describe("parsePrototxt(text) normalises onto caffe.proto", () => {
  it("repeated fields are arrays even when given once; singular messages stay messages", () => {
    const spec = parsePrototxt(`
      name: "n"
      layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 10 dim: 3 dim: 8 dim: 8 } } }
      layer {
        name: "c" type: "Convolution" bottom: "data" top: "c"
        convolution_param { num_output: 4 kernel_size: 3 pad: 1 }
      }
      layer { name: "p" type: "Pooling" bottom: "c" top: "p" pooling_param { pool: AVE kernel_size: 2 } }
      layer { name: "r" type: "Reshape" bottom: "p" top: "r" reshape_param { shape { dim: 0 dim: -1 } } }
    `);
    expect(spec.name).toBe("n");
    expect(spec.layer.map((l) => l.name)).toEqual(["in", "c", "p", "r"]);
    expect(spec.layer[0]!.input_param).toEqual({ shape: [{ dim: [10, 3, 8, 8] }] });
    expect(spec.layer[0]!.top).toEqual(["data"]);
    expect(spec.layer[1]!.convolution_param).toEqual({ num_output: 4, kernel_size: [3], pad: [1] });
    expect(spec.layer[2]!.pooling_param).toEqual({ pool: "AVE", kernel_size: 2 });
    expect(spec.layer[3]!.reshape_param).toEqual({ shape: { dim: [0, -1] } });
  });

  it("keeps the old-style input fields and the net state", () => {
    const spec = parsePrototxt(`input: "data" input_dim: 10 input_dim: 3 input_dim: 4 input_dim: 5
      input_shape { dim: 1 } state { phase: TEST stage: "deploy" }`);
    expect(spec.input).toEqual(["data"]);
    expect(spec.input_dim).toEqual([10, 3, 4, 5]);
    expect(spec.input_shape).toEqual([{ dim: [1] }]);
    expect(spec.state).toEqual({ phase: "TEST", stage: ["deploy"] });
    expect(spec.layer).toEqual([]);
  });

  it("upgrades V1 'layers' entries with enum types to new type names", () => {
    const spec = parsePrototxt(`layers { name: "c" type: CONVOLUTION bottom: "d" top: "c" }
      layers { name: "ip" type: INNER_PRODUCT } layers { name: "s" type: SOFTMAX_LOSS }`);
    expect(spec.layer.map((l) => l.type)).toEqual(["Convolution", "InnerProduct", "SoftmaxWithLoss"]);
  });

  it("rejects mixing 'layer' and V1 'layers'", () => {
    expect(() => parsePrototxt('layer { name: "a" }\nlayers { name: "b" }', "mix.prototxt")).toThrow(
      /mix\.prototxt:2:1: .*mixes new 'layer' and old V1 'layers'/,
    );
  });

  it("rejects a blob name that is not a string, with its position", () => {
    try {
      parsePrototxt('layer {\n  name: "a"\n  bottom: 3\n}', "b.prototxt");
      throw new Error("expected a ParseError");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect([(error as ParseError).line, (error as ParseError).column]).toEqual([3, 3]);
    }
  });
});
