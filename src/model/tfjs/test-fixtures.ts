/**
 * Test fixture: one small CNN as a TF.js layers model (built and saved by
 * tfjs-layers) and as a TF.js graph model (the GraphDef JSON tfjs-converter
 * writes for it: fused convolutions, Pad, Reshape, _FusedMatMul, Softmax,
 * Identity), sharing the same weights. The tests load the graph model with
 * tfjs-converter to check it computes what the layers model computes.
 * Not part of the library (@tensorflow/tfjs is a devDependency of nsfwjs).
 *
 * @module
 * @internal
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Tf = any;

/** Loads @tensorflow/tfjs (CPU backend), or `undefined` when it is not installed. */
export function loadTf(): Tf | undefined {
  try {
    return require("@tensorflow/tfjs");
  } catch {
    return undefined;
  }
}

/** A model.json (parsed) and its shard files. */
export interface ModelFilesFixture {
  readonly json: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[]; format: string };
  readonly shards: Map<string, Uint8Array>;
}

/** The two forms of the network, the tfjs-layers model and its input shape (NHWC). */
export interface TwinModels {
  readonly layers: ModelFilesFixture;
  readonly graph: ModelFilesFixture;
  readonly model: Tf;
  readonly inputShape: number[];
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const list = (values: number[]) => ({ list: { i: values.map(String) } });
const f32 = { type: "DT_FLOAT" };

/**
 * Builds the twin models. Layers: input 32×32×3 → conv1 (8, 3×3, same,
 * relu) → dw (depthwise 3×3, stride 2, same, relu) → conv2 (16, 1×1, relu)
 * → pool (max 2×2) → conv3 (16, 3×3, same) → add(pool, conv3) → relu →
 * zeropad (1) → conv4 (8, 3×3, valid, relu) → flatten → dense (10) →
 * softmax (an Activation layer).
 */
export async function buildTwinModels(tf: Tf, seed = 7): Promise<TwinModels> {
  tf.setBackend("cpu");
  const L = tf.layers;
  const init = (s: number) => tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + s });
  const input = tf.input({ shape: [32, 32, 3], name: "image" });
  const conv1 = L.conv2d({ name: "conv1", filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(1), biasInitializer: init(2) }).apply(input);
  const dw = L.depthwiseConv2d({ name: "dw", kernelSize: 3, strides: 2, padding: "same", activation: "relu", depthwiseInitializer: init(3), biasInitializer: init(4) }).apply(conv1);
  const conv2 = L.conv2d({ name: "conv2", filters: 16, kernelSize: 1, activation: "relu", kernelInitializer: init(5), biasInitializer: init(6) }).apply(dw);
  const pool = L.maxPooling2d({ name: "pool", poolSize: 2 }).apply(conv2);
  const conv3 = L.conv2d({ name: "conv3", filters: 16, kernelSize: 3, padding: "same", kernelInitializer: init(7), biasInitializer: init(8) }).apply(pool);
  const add = L.add({ name: "add" }).apply([pool, conv3]);
  const relu = L.reLU({ name: "relu" }).apply(add);
  const zeropad = L.zeroPadding2d({ name: "zeropad", padding: 1 }).apply(relu);
  const conv4 = L.conv2d({ name: "conv4", filters: 8, kernelSize: 3, activation: "relu", kernelInitializer: init(9), biasInitializer: init(10) }).apply(zeropad);
  const flatten = L.flatten({ name: "flatten" }).apply(conv4);
  const dense = L.dense({ name: "dense", units: 10, kernelInitializer: init(11), biasInitializer: init(12) }).apply(flatten);
  const softmax = L.activation({ name: "softmax", activation: "softmax" }).apply(dense);
  const model = tf.model({ inputs: input, outputs: softmax, name: "twin" });

  let artifacts: any;
  await model.save(tf.io.withSaveHandler(async (a: any) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const layersJson = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["layers.bin"], weights: artifacts.weightSpecs }],
    format: "layers-model",
  };
  const layersShards = new Map([["layers.bin", new Uint8Array(artifacts.weightData)]]);

  // The graph model tfjs-converter writes for this network (a frozen, optimised GraphDef).
  const weight = (layer: string, k: number): { data: Float32Array; shape: number[] } => {
    const w = model.getLayer(layer).getWeights()[k];
    return { data: w.dataSync() as Float32Array, shape: w.shape as number[] };
  };
  const consts: { name: string; shape: number[]; data: Float32Array | Int32Array; dtype: string }[] = [];
  const nodes: any[] = [];
  const constNode = (name: string, shape: number[], data: Float32Array | Int32Array, dtype = "float32") => {
    consts.push({ name, shape, data, dtype });
    nodes.push({ name, op: "Const", attr: { value: { tensor: { dtype: dtype === "int32" ? "DT_INT32" : "DT_FLOAT", tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: { type: dtype === "int32" ? "DT_INT32" : "DT_FLOAT" } } });
    return name;
  };
  const fusedConv = (name: string, op: string, x: string, layer: string, strides: number, padding: string, activation?: string) => {
    const k = weight(layer, 0);
    const b = weight(layer, 1);
    const kernel = constNode(`${layer}/kernel`, k.shape, k.data);
    const bias = constNode(`${layer}/bias`, b.shape, b.data);
    nodes.push({
      name, op, input: [x, kernel, bias], device: "/device:CPU:0",
      attr: {
        T: f32, strides: list([1, strides, strides, 1]), dilations: list([1, 1, 1, 1]), padding: { s: b64(padding) }, data_format: { s: b64("NHWC") },
        explicit_paddings: { list: {} }, use_cudnn_on_gpu: { b: true }, num_args: { i: "1" }, epsilon: { f: 0 },
        fused_ops: { list: { s: [b64("BiasAdd"), ...(activation ? [b64(activation)] : [])] } },
      },
    });
    return name;
  };
  nodes.push({ name: "image", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "-1" }, { size: "32" }, { size: "32" }, { size: "3" }] } }, dtype: f32 } });
  fusedConv("conv1", "_FusedConv2D", "image", "conv1", 1, "SAME", "Relu");
  fusedConv("dw", "FusedDepthwiseConv2dNative", "conv1", "dw", 2, "SAME", "Relu");
  fusedConv("conv2", "_FusedConv2D", "dw", "conv2", 1, "VALID", "Relu");
  nodes.push({ name: "pool", op: "MaxPool", input: ["conv2"], attr: { T: f32, ksize: list([1, 2, 2, 1]), strides: list([1, 2, 2, 1]), padding: { s: b64("VALID") }, data_format: { s: b64("NHWC") } } });
  fusedConv("conv3", "_FusedConv2D", "pool", "conv3", 1, "SAME");
  nodes.push({ name: "add", op: "AddV2", input: ["pool", "conv3"], attr: { T: f32 } });
  nodes.push({ name: "relu", op: "Relu", input: ["add"], attr: { T: f32 } });
  const paddings = constNode("zeropad/paddings", [4, 2], Int32Array.from([0, 0, 1, 1, 1, 1, 0, 0]), "int32");
  nodes.push({ name: "zeropad", op: "Pad", input: ["relu", paddings], attr: { T: f32, Tpaddings: { type: "DT_INT32" } } });
  fusedConv("conv4", "_FusedConv2D", "zeropad", "conv4", 1, "VALID", "Relu");
  const shape = constNode("flatten/shape", [2], Int32Array.from([-1, 8 * 8 * 8]), "int32");
  nodes.push({ name: "flatten", op: "Reshape", input: ["conv4", shape], attr: { T: f32, Tshape: { type: "DT_INT32" } } });
  const dk = weight("dense", 0);
  const db = weight("dense", 1);
  nodes.push({
    name: "dense", op: "_FusedMatMul", input: ["flatten", constNode("dense/kernel", dk.shape, dk.data), constNode("dense/bias", db.shape, db.data)], device: "/device:CPU:0",
    attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: "1" }, epsilon: { f: 0 }, fused_ops: { list: { s: [b64("BiasAdd")] } } },
  });
  nodes.push({ name: "softmax", op: "Softmax", input: ["dense"], attr: { T: f32 } });
  nodes.push({ name: "Identity", op: "Identity", input: ["softmax"], attr: { T: f32 } });
  const bytes = consts.reduce((s, c) => s + c.data.byteLength, 0);
  const data = new Uint8Array(bytes);
  let at = 0;
  for (const c of consts) {
    data.set(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength), at);
    at += c.data.byteLength;
  }
  // Two shards, split inside a weight (tfjs-converter cuts shards at a byte size, not at weights).
  const cut = Math.floor(bytes / 2);
  const graphJson = {
    format: "graph-model",
    generatedBy: "2.12.0",
    convertedBy: "ionn test fixture (the layout of TensorFlow.js Converter v4)",
    modelTopology: { node: nodes, library: {}, versions: { producer: 1205 } },
    weightsManifest: [{ paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"], weights: consts.map((c) => ({ name: c.name, shape: c.shape, dtype: c.dtype })) }],
  };
  const graphShards = new Map([["group1-shard1of2.bin", data.slice(0, cut)], ["group1-shard2of2.bin", data.slice(cut)]]);
  return { layers: { json: layersJson, shards: layersShards }, graph: { json: graphJson, shards: graphShards }, model, inputShape: [1, 32, 32, 3] };
}

/** Runs a graph-model fixture with tfjs-converter; returns the named node outputs. */
export async function runGraphWithTf(tf: Tf, fixture: ModelFilesFixture, x: Tf, outputs: string[]): Promise<Tf[]> {
  const parts = fixture.json.weightsManifest[0]!.paths.map((p) => fixture.shards.get(p)!);
  const data = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: fixture.json.modelTopology, weightSpecs: fixture.json.weightsManifest.flatMap((g) => g.weights), weightData: data.buffer, format: "graph-model" }));
  const result = model.execute(x, outputs);
  return Array.isArray(result) ? result : [result];
}
