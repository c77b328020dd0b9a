/**
 * Constant folding in the ONNX importer: a network whose shape sub-graphs
 * depend only on constants (tf2onnx-style pads from `Concat(Split(constant))`,
 * `Shape → Gather → Unsqueeze → Concat → Reshape`, Range, ConstantOfShape,
 * Slice, Cast, Squeeze, integer arithmetic) imports with every shape known,
 * and the shapes equal ONNX Runtime's (the optional executor) when it is
 * installed. Unknown shapes are marked and refused by the planner.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnknownShapeError } from "../../errors.js";
import { planNetwork } from "../../plan/index.js";
import { layersWithUnknownShapes, outputShapeKnown, tensorKey } from "../types.js";
import { FOLDERS } from "./fold.js";
import { importOnnx } from "./index.js";
import type { OnnxAttribute } from "./proto.js";
import { Attributes, type ValueInfo } from "./shapes.js";
import { onnxRuntimeExecutor, type Ort } from "../../executor/ort-executor.js";
import { encodeModel, floatTensor, int, int64Tensor, ints, node, tensorAttr, valueInfo } from "./test-helpers.js";

const require = createRequire(import.meta.url);
let ort: Ort | undefined;
try {
  ort = require("onnxruntime-node") as Ort;
} catch {
  ort = undefined;
}



/** The shape-arithmetic network, opset 13, input x: [1, 3, 8, 8]. */
function shapeArithmeticModel(): Uint8Array {
  const c = (name: string, values: number[], dims = [values.length]) => node("Constant", [], [name], name, [tensorAttr(int64Tensor(name, dims, values))]);
  const nodes = [
    // Pads as tf2onnx writes them: Concat(Split(constant)) → Cast → Pad.
    c("pads_all", [0, 0, 1, 2, 0, 0, 1, 2]),
    c("split_sizes", [4, 4]),
    node("Split", ["pads_all", "split_sizes"], ["pads_begin", "pads_end"], "split_pads", [int("axis", 0)]),
    node("Concat", ["pads_begin", "pads_end"], ["pads_cat"], "concat_pads", [int("axis", 0)]),
    node("Cast", ["pads_cat"], ["pads"], "cast_pads", [int("to", 7)]),
    node("Pad", ["x", "pads"], ["padded"], "pad1"),
    node("Conv", ["padded", "w1"], ["conv1"], "conv1", [ints("kernel_shape", [3, 3])]),
    // A second Pad whose pads are a Slice of the first and integer arithmetic: [0,0,0,1, 0,0,0,1].
    c("s_start", [2]),
    c("s_end", [4]),
    node("Slice", ["pads_begin", "s_start", "s_end"], ["pb_hw"], "slice_pads"),
    c("two", [2], []),
    node("Div", ["pb_hw", "two"], ["half"], "div_pads"),
    node("Add", ["half", "half"], ["hw"], "add_pads"),
    node("Sub", ["hw", "half"], ["hw2"], "sub_pads"),
    c("zeros2", [0, 0]),
    node("Concat", ["zeros2", "hw2", "zeros2", "hw2"], ["pads2"], "concat_pads2", [int("axis", 0)]),
    node("Pad", ["conv1", "pads2"], ["padded2"], "pad2"),
    // Shape → Gather → Unsqueeze → Concat → Reshape: [1, C, H·W].
    node("Shape", ["padded2"], ["shape"], "shape"),
    c("i0", [0], []),
    c("i1", [1], []),
    c("i2", [2], []),
    c("i3", [3], []),
    node("Gather", ["shape", "i0"], ["n"], "gather_n", [int("axis", 0)]),
    node("Gather", ["shape", "i1"], ["ch"], "gather_c", [int("axis", 0)]),
    node("Gather", ["shape", "i2"], ["h"], "gather_h", [int("axis", 0)]),
    node("Gather", ["shape", "i3"], ["w"], "gather_w", [int("axis", 0)]),
    node("Mul", ["h", "w"], ["hw_size"], "mul_hw"),
    c("axes0", [0]),
    node("Unsqueeze", ["n", "axes0"], ["n1"], "unsq_n"),
    node("Unsqueeze", ["ch", "axes0"], ["c1"], "unsq_c"),
    node("Unsqueeze", ["hw_size", "axes0"], ["hw1"], "unsq_hw"),
    node("Concat", ["n1", "c1", "hw1"], ["target"], "concat_target", [int("axis", 0)]),
    node("Reshape", ["padded2", "target"], ["flat"], "reshape"),
    // Range over the channels, used as Gather indices; Squeeze of an Unsqueeze.
    c("zero", [0], []),
    c("one", [1], []),
    node("Range", ["zero", "ch", "one"], ["channels"], "range"),
    node("Gather", ["flat", "channels"], ["picked"], "gather_channels", [int("axis", 1)]),
    node("Unsqueeze", ["ch", "axes0"], ["ch_vec"], "unsq_ch"),
    node("Squeeze", ["ch_vec", "axes0"], ["ch_back"], "squeeze_ch"),
    node("Unsqueeze", ["ch_back", "axes0"], ["ch_vec2"], "unsq_ch2"),
    // ConstantOfShape([1, C]) of 1.0, broadcast onto the ReduceMean of the picked tensor.
    node("Concat", ["n1", "ch_vec2"], ["bias_shape"], "concat_bias_shape", [int("axis", 0)]),
    node("ConstantOfShape", ["bias_shape"], ["ones"], "ones", [{ ...tensorAttr({ name: "v", dims: [1], data_type: 1, float_data: [1] }) }]),
    node("ReduceMean", ["picked"], ["mean"], "mean", [ints("axes", [2]), int("keepdims", 0)]),
    node("Add", ["mean", "ones"], ["y"], "add_out"),
    node("Relu", ["y"], ["out"], "relu"),
  ];

  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: "", version: 13 }],
    graph: {
      name: "fold",
      node: nodes,
      initializer: [floatTensor("w1", [4, 3, 3, 3])],
      input: [valueInfo("x", [1, 3, 8, 8])],
      output: [valueInfo("out", undefined)],
    },
  });
}

/** Shapes worked out by hand from the operator definitions. */
const EXPECTED: Record<string, number[]> = {
  pad1: [1, 3, 10, 12],
  conv1: [1, 4, 8, 10],
  pad2: [1, 4, 8, 12],
  shape: [4],
  reshape: [1, 4, 96],
  range: [4],
  gather_channels: [1, 4, 96],
  ones: [1, 4],
  mean: [1, 4],
  add_out: [1, 4],
  relu: [1, 4],
};

describe("ONNX constant folding", () => {
  const bytes = shapeArithmeticModel();
  const { network, warnings } = importOnnx(bytes, "fold.onnx");

  it("every shape of a network whose shape ops depend only on constants is known", () => {
    expect(layersWithUnknownShapes(network).map((l) => l.name)).toEqual([]);
    expect(warnings.filter((w) => w.includes("unknown"))).toEqual([]);
    for (const [name, shape] of Object.entries(EXPECTED)) {
      expect(network.layers.find((l) => l.name === name)!.outputShapes[0], name).toEqual(shape);
    }
    // Folded values: the pads and the Reshape target.
    const conv = network.layers.find((l) => l.name === "conv1")!;
    expect(conv.macs).toBe(4 * 8 * 10 * 3 * 3 * 3);
    const split = network.layers.find((l) => l.name === "split_pads")!;
    expect(split.outputShapes).toEqual([[4], [4]]);
    expect(split.macs).toBe(0);
  });

  it.skipIf(ort === undefined)(`shapes equal ONNX Runtime's on every tensor${ort === undefined ? " (skipped: onnxruntime-node not installed)" : ""}`, async () => {
    const executor = await onnxRuntimeExecutor(bytes, network, { ort: ort! });
    await executor.load(network.layers, new Map());
    const x = { shape: [1, 3, 8, 8], data: new Float32Array(192).map((_, i) => (i % 7) / 7) };
    const input = new Map([[tensorKey(network.inputs[0]!), x]]);
    let compared = 0;
    // One request per tensor (layers 1…k, one output): ONNX Runtime computes it from the file's nodes.
    for (const layer of network.layers.slice(1)) {
      const range = network.layers.slice(1, layer.index + 1).map((l) => l.index);
      for (let top = 0; top < layer.tops.length; top++) {
        const key = tensorKey({ layer: layer.index, top });
        const t = (await executor.run(range, input, [key])).get(key)!;
        expect(layer.outputShapes[top], `${layer.name} top ${top}`).toEqual(t.shape);
        compared++;
      }
    }
    expect(compared).toBe(network.layers.length); // one Split has two tops, Input excluded
  });

  it("an unknown shape is marked, is null-able for inspect, and a plan refuses it unless allowed", () => {
    const opaque = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "opaque",
        node: [node("NonZero", ["x"], ["nz"], "nz"), node("Cast", ["nz"], ["f"], "cast", [int("to", 1)]), node("Relu", ["x"], ["r"], "relu")],
        input: [valueInfo("x", [1, 4])],
        output: [valueInfo("f", undefined), valueInfo("r", undefined)],
      },
    });
    const imported = importOnnx(opaque, "opaque.onnx").network;
    expect(layersWithUnknownShapes(imported).map((l) => l.name)).toEqual(["nz", "cast"]);
    expect(outputShapeKnown(imported.layers[3]!)).toBe(true);
    const costs = { clientMs: imported.layers.map(() => 1), serverMs: imported.layers.map(() => 0.1) };
    expect(() => planNetwork(imported, costs)).toThrow(UnknownShapeError);
    expect(() => planNetwork(imported, costs)).toThrow(/opaque\.onnx: 2 of 4 layers have unknown output shapes \(first: nz \(NonZero\), cast \(Cast\)\)/);
    expect(planNetwork(imported, costs, { allowUnknownShapes: true }).plan.partitions.length).toBeGreaterThanOrEqual(0);
    expect(planNetwork(network, { clientMs: network.layers.map(() => 1), serverMs: network.layers.map(() => 0.1) }).plan).toBeDefined();
  });
});

describe("constant folding laws (property tests on random small tensors)", () => {
  const attr = (name: string, value: number | number[]): OnnxAttribute =>
    Array.isArray(value) ? { name, type: 7, hasGraph: false, floats: [], ints: value, strings: [] } : { name, type: 2, i: value, hasGraph: false, floats: [], ints: [], strings: [] };
  const fold = (op: string, inputs: ValueInfo[], attributes: OnnxAttribute[] = [], outputs = 1) => {
    const n = { name: op, opType: op, domain: "", inputs: inputs.map((_, i) => `in${i}`), outputs: Array.from({ length: outputs }, (_, i) => `out${i}`), attributes };
    return FOLDERS[op]!({ node: n, attrs: new Attributes(n), inputs, opset: 13 })!;
  };
  const tensor = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
    fc.array(fc.integer({ min: -50, max: 50 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((values) => ({ shape, values, dtype: 7 })),
  );

  it("Concat(Split(x)) = x along any axis, with any split sizes", () => {
    fc.assert(fc.property(tensor, fc.nat(), fc.nat(), (x, axisSeed, cutSeed) => {
      const axis = axisSeed % x.shape.length;
      const dim = x.shape[axis]!;
      const cut = cutSeed % (dim + 1);
      const parts = fold("Split", [x, { shape: [2], values: [cut, dim - cut], dtype: 7 }], [attr("axis", axis)], 2);
      expect(parts.map((p) => p!.shape![axis])).toEqual([cut, dim - cut]);
      const joined = fold("Concat", parts.map((p) => p!), [attr("axis", axis)])[0]!;
      expect(joined.shape).toEqual(x.shape);
      expect(joined.values).toEqual(x.values);
    }));
  });

  it("Gather(x, Range(0, d)) = x; Transpose twice with inverse permutations = x; Slice with step −1 twice = x", () => {
    fc.assert(fc.property(tensor, fc.nat(), (x, axisSeed) => {
      const axis = axisSeed % x.shape.length;
      const d = x.shape[axis]!;
      const range = fold("Range", [{ shape: [], values: [0], dtype: 7 }, { shape: [], values: [d], dtype: 7 }, { shape: [], values: [1], dtype: 7 }])[0]!;
      expect(range.values).toEqual(Array.from({ length: d }, (_, i) => i));
      expect(fold("Gather", [x, range], [attr("axis", axis)])[0]!.values).toEqual(x.values);
      const rank = x.shape.length;
      const perm = Array.from({ length: rank }, (_, i) => (i + axis) % rank);
      const inverse = perm.map((_, i) => perm.indexOf(i));
      const once = fold("Transpose", [x], [attr("perm", perm)])[0]!;
      expect(once.shape).toEqual(perm.map((p) => x.shape[p]));
      expect(fold("Transpose", [once], [attr("perm", inverse)])[0]!.values).toEqual(x.values);
      const reverse = (t: ValueInfo) => fold("Slice", [t, { shape: [1], values: [-1], dtype: 7 }, { shape: [1], values: [-(2 ** 31)], dtype: 7 }, { shape: [1], values: [axis], dtype: 7 }, { shape: [1], values: [-1], dtype: 7 }])[0]!;
      expect(reverse(reverse(x)).values).toEqual(x.values);
    }));
  });

  it("integer arithmetic: Div truncates toward zero, Mod follows the divisor's sign, broadcasting a scalar", () => {
    const a = { shape: [4], values: [7, -7, 7, -7], dtype: 7 };
    const b = { shape: [4], values: [2, 2, -2, -2], dtype: 7 };
    expect(fold("Div", [a, b])[0]!.values).toEqual([3, -3, -3, 3]);
    expect(fold("Mod", [a, b])[0]!.values).toEqual([1, 1, -1, -1]);
    expect(fold("Mul", [a, { shape: [], values: [3], dtype: 7 }])[0]!.values).toEqual([21, -21, 21, -21]);
    expect(fold("ReduceProd", [{ shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: 7 }], [attr("axes", [1]), attr("keepdims", 0)])[0]).toEqual({ shape: [2], values: [6, 120], dtype: 7 });
  });
});
