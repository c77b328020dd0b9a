/**
 * `ionn inspect/plan --input-shape NAME=DIMS` for every format (.prototxt,
 * .onnx, TF.js layers and graph models), unknown names as errors, `null`
 * for unknown output shapes in inspect JSON, and `plan` refusing unknown
 * shapes unless `--allow-unknown-shapes`. Files are written in the test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeModel, floatTensor, ints, node, valueInfo } from "../model/onnx/test-helpers.js";
import { main } from "./main.js";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function runJson(...argv: string[]) {
  const result = await run(...argv, "--json");
  expect(result.stderr, result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

const dir = mkdtempSync(join(tmpdir(), "ionn-input-shape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prototxt = join(dir, "net.prototxt");
writeFileSync(prototxt, `name: "tiny"
input: "data"
input_shape { dim: 1 dim: 3 dim: 224 dim: 224 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
`);

const onnxFile = join(dir, "net.onnx");
writeFileSync(onnxFile, encodeModel({
  ir_version: 8,
  opset_import: [{ domain: "", version: 13 }],
  graph: {
    name: "sym",
    node: [node("Conv", ["x", "w"], ["c"], "conv", [ints("kernel_shape", [3, 3])]), node("Relu", ["c"], ["y"], "relu")],
    initializer: [floatTensor("w", [4, 3, 3, 3])],
    input: [valueInfo("x", ["N", 3, "H", "W"])],
    output: [valueInfo("y", undefined)],
  },
}));

const layersFile = join(dir, "layers.json");
writeFileSync(layersFile, JSON.stringify({
  format: "layers-model",
  modelTopology: {
    class_name: "Model",
    config: {
      name: "sr",
      layers: [
        { class_name: "InputLayer", name: "lowres", config: { name: "lowres", batch_input_shape: [null, null, null, 3], dtype: "float32" }, inbound_nodes: [] },
        { class_name: "Conv2D", name: "conv", config: { name: "conv", filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: "same", activation: "relu", use_bias: true }, inbound_nodes: [[["lowres", 0, 0, {}]]] },
      ],
      input_layers: [["lowres", 0, 0]],
      output_layers: [["conv", 0, 0]],
    },
  },
}));

const graphDir = join(dir, "graph");
const graphFile = join(graphDir, "model.json");
mkdirSync(graphDir, { recursive: true });
writeFileSync(join(graphDir, "shard.bin"), new Uint8Array(3 * 3 * 3 * 4 * 4));
writeFileSync(graphFile, JSON.stringify({
  format: "graph-model",
  modelTopology: {
    node: [
      { name: "x", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "-1" }, { size: "-1" }, { size: "-1" }, { size: "3" }] } }, dtype: { type: "DT_FLOAT" } } },
      { name: "k", op: "Const", attr: { value: { tensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "3" }, { size: "3" }, { size: "3" }, { size: "4" }] } } }, dtype: { type: "DT_FLOAT" } } },
      { name: "conv", op: "Conv2D", input: ["x", "k"], attr: { T: { type: "DT_FLOAT" }, strides: { list: { i: ["1", "2", "2", "1"] } }, padding: { s: Buffer.from("SAME").toString("base64") }, data_format: { s: Buffer.from("NHWC").toString("base64") } } },
      { name: "relu", op: "Relu", input: ["conv"], attr: { T: { type: "DT_FLOAT" } } },
    ],
  },
  weightsManifest: [{ paths: ["shard.bin"], weights: [{ name: "k", shape: [3, 3, 3, 4], dtype: "float32" }] }],
}));

describe("--input-shape for every format", () => {
  it(".prototxt: replaces the declared input shape; an unknown name is an error", async () => {
    const doc = await runJson("inspect", prototxt, "--input-shape", "data=1,3,32,32");
    expect(doc.layerList.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[1, 3, 32, 32], [1, 4, 30, 30], [1, 4, 30, 30]]);
    expect(doc.macs).toBe(4 * 30 * 30 * 27 + 4 * 30 * 30);
    expect((await runJson("plan", prototxt, "--input-shape", "data=1,3,32,32")).partitions).toBeDefined();
    const bad = await run("inspect", prototxt, "--input-shape", "image=1,3,32,32");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/net\.prototxt: inputShapes names "image", which is not an input blob of the net \(inputs: data\)/);
  });

  it(".onnx: symbolic dims → null output shapes, plan refused unless --allow-unknown-shapes; --input-shape makes them known", async () => {
    const unknown = await run("inspect", onnxFile, "--json");
    expect(unknown.code).toBe(0);
    const doc = JSON.parse(unknown.stdout);
    expect(doc.layerList.map((l: { outputShape: unknown }) => l.outputShape)).toEqual([null, null, null]);
    const refused = await run("plan", onnxFile);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/3 of 3 layers have unknown output shapes.*--allow-unknown-shapes/);
    expect((await run("plan", onnxFile, "--allow-unknown-shapes", "--json")).code).toBe(0);
    const known = await runJson("inspect", onnxFile, "--input-shape", "x=1,3,10,12");
    expect(known.layerList.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[1, 3, 10, 12], [1, 4, 8, 10], [1, 4, 8, 10]]);
    const bad = await run("inspect", onnxFile, "--input-shape", "input=1,3,10,12");
    expect(bad.stderr).toMatch(/"input", which is not a graph input \(inputs: x\)/);
  });

  it("TF.js layers model with InputLayer [null, null, null, 3]: refused without a size, importable with one", async () => {
    const refused = await run("inspect", layersFile);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/InputLayer "lowres" has an unknown dimension 1 \(null\) in \[null,null,null,3\].*--input-shape lowres=1,…/);
    const doc = await runJson("inspect", layersFile, "--input-shape", "lowres=1,20,24,3");
    expect(doc.layerList.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[1, 3, 20, 24], [1, 4, 20, 24]]);
    expect(doc.macs).toBe(20 * 24 * 4 * 27);
    expect((await runJson("plan", layersFile, "--input-shape", "lowres=1,20,24,3")).partitions).toBeDefined();
    const bad = await run("inspect", layersFile, "--input-shape", "input_1=1,20,24,3");
    expect(bad.stderr).toMatch(/"input_1", which is not an InputLayer of the model \(inputs: lowres\)/);
  });

  it("TF.js graph model with Placeholder [-1, -1, -1, 3]: unknown shapes (null), known with --input-shape", async () => {
    const doc = await runJson("inspect", graphFile, "--input-shape", "x=1,17,17,3");
    expect(doc.layerList.map((l: { outputShape: number[] }) => l.outputShape)).toEqual([[1, 3, 17, 17], [1, 4, 9, 9], [1, 4, 9, 9]]);
    expect(doc.parameters).toBe(108);
    expect(doc.macs).toBe(9 * 9 * 4 * 27 + 9 * 9 * 4);
    expect((await runJson("plan", graphFile, "--input-shape", "x=1,17,17,3")).partitions).toBeDefined();
    const unknown = await run("inspect", graphFile, "--json");
    expect(JSON.parse(unknown.stdout).layerList.map((l: { outputShape: unknown }) => l.outputShape)).toEqual([null, null, null]);
    expect((await run("plan", graphFile)).stderr).toMatch(/UnknownShapeError|unknown output shapes/);
    const bad = await run("inspect", graphFile, "--input-shape", "image=1,17,17,3");
    expect(bad.stderr).toMatch(/"image", which is not a Placeholder of the graph \(inputs: x\)/);
  });

  it("TF.js layers model: an opaque layer's output shape is null in inspect, and plan refuses it", async () => {
    const opaqueFile = join(dir, "opaque.json");
    writeFileSync(opaqueFile, JSON.stringify({
      modelTopology: {
        class_name: "Sequential",
        config: { name: "seq", layers: [
          { class_name: "Dense", config: { name: "d1", units: 4, batch_input_shape: [null, 8] } },
          { class_name: "MysteryLayer", config: { name: "m" } },
        ] },
      },
    }));
    const result = await run("inspect", opaqueFile, "--json");
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/opaque layers.*MysteryLayer/);
    expect(JSON.parse(result.stdout).layerList.map((l: { outputShape: unknown }) => l.outputShape)).toEqual([[1, 8], [1, 4], null]);
    expect((await run("plan", opaqueFile)).stderr).toMatch(/1 of 3 layers have unknown output shapes \(first: m \(MysteryLayer\)\)/);
  });
});
