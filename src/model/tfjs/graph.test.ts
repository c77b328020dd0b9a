/**
 * TF.js graph-model importer tests: a fixture network exported both as a
 * layers model and as a graph model gives the same layer-level MACs and
 * parameter counts; the real graph model nsfwjs ships (MobileNetV2 "mid",
 * tfjs-converter v1.7.4, uint8-quantized) imports with every shape equal to
 * what tfjs-converter computes when it runs the file; bad files give typed
 * errors naming the file and node.
 */
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import { loadNetwork } from "../load.js";
import { totalMacs, totalParameters, type Network } from "../types.js";
import { buildTwinModels, loadTf, runGraphWithTf, type TwinModels } from "./test-fixtures.js";
import { importTfjsGraphModel } from "./graph.js";
import { importTfjsLayersModelDetailed } from "./index.js";
import { decodeWeights } from "./weights.js";

const require = createRequire(import.meta.url);
const tf = loadTf();
/** nsfwjs ships model.json and its shards as UMD modules (the JSON object, and each shard as base64). */
function nsfwMidDir(): string | undefined {
  try {
    return require.resolve("nsfwjs").replace(/dist[\\/]cjs[\\/]index\.js$/, "dist/models/mobilenet_v2_mid/");
  } catch {
    return undefined;
  }
}

function nsfwMid(): { json: any; shards: Map<string, Uint8Array> } | undefined {
  try {
    const dir = nsfwMidDir()!;
    const json = require(`${dir}model.min.js`);
    const shards = new Map<string, Uint8Array>();
    for (const p of json.weightsManifest[0].paths as string[]) shards.set(p, new Uint8Array(Buffer.from(require(`${dir}${p}.min.js`) as string, "base64")));
    return { json, shards };
  } catch {
    return undefined;
  }
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe.skipIf(tf === undefined)(`TF.js graph model vs layers model of the same network${tf === undefined ? " (skipped: @tensorflow/tfjs absent)" : ""}`, () => {
  let twins: TwinModels;
  let graph: Network;
  let layers: Network;

  it("the graph fixture computes what the layers model computes (checked with tfjs-converter)", async () => {
    twins = await buildTwinModels(tf);
    const x = tf.randomUniform(twins.inputShape, -1, 1, "float32", 3);
    const expected = twins.model.predict(x).dataSync() as Float32Array;
    const [out] = await runGraphWithTf(tf, twins.graph, x, ["Identity"]);
    const got = out.dataSync() as Float32Array;
    expect(got.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5);
  });

  it("same layer-level MACs and parameter counts", () => {
    graph = importTfjsGraphModel(twins.graph.json, "twin/model.json", { shards: twins.graph.shards }).network;
    layers = importTfjsLayersModelDetailed(twins.layers.json, "twin-layers/model.json").network;
    const compared: string[] = [];
    for (const layer of layers.layers) {
      const twin = graph.layers.find((l) => l.name === layer.name);
      expect(twin, layer.name).toBeDefined();
      expect([twin!.name, twin!.macs, twin!.parameters]).toEqual([layer.name, layer.macs, layer.parameters]);
      expect(twin!.outputShapes).toEqual(layer.outputShapes);
      compared.push(layer.name);
    }
    expect(compared).toEqual(["image", "conv1", "dw", "conv2", "pool", "conv3", "add", "relu", "zeropad", "conv4", "flatten", "dense", "softmax"]);
    // The graph's only extra layer is the converter's output Identity (no parameters, no MACs).
    expect(graph.layers.map((l) => l.name)).toEqual([...compared, "Identity"]);
    expect(totalMacs(graph)).toBe(totalMacs(layers));
    expect(totalParameters(graph)).toBe(totalParameters(layers));
    // Independent figures: conv1 = 32·32·8·3·3·3, dw = 16·16·8·3·3, dense = 512·10 (+10 bias).
    expect(graph.layers[1]!.macs).toBe(32 * 32 * 8 * 27);
    expect(graph.layers[2]!.macs).toBe(16 * 16 * 8 * 9);
    expect(graph.layers.find((l) => l.name === "dense")!.parameters).toBe(512 * 10 + 10);
    expect(graph.layers.map((l) => l.type)).toEqual(["Input", "Convolution", "Convolution", "Convolution", "Pooling", "Convolution", "Eltwise", "ReLU", "Pad", "Convolution", "Reshape", "InnerProduct", "Softmax", "Identity"]);
  });

  it("shapes equal what tfjs-converter computes for every node (NHWC layout)", async () => {
    const nhwc = importTfjsGraphModel(twins.graph.json, "twin/model.json", { shards: twins.graph.shards, layout: "NHWC" }).network;
    const names = nhwc.layers.slice(1).map((l) => l.name);
    const outs = await runGraphWithTf(tf, twins.graph, tf.zeros(twins.inputShape), names);
    names.forEach((name, i) => expect(nhwc.layers[i + 1]!.outputShapes[0], name).toEqual(outs[i].shape));
  });

  it("loadNetwork reads the shards beside model.json; --input-shape equivalents and bad input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ionn-graph-"));
    try {
      writeFileSync(join(dir, "model.json"), JSON.stringify(twins.graph.json));
      for (const [p, bytes] of twins.graph.shards) writeFileSync(join(dir, p), bytes);
      const { network, warnings } = await loadNetwork(join(dir, "model.json"));
      expect(warnings).toEqual([]);
      expect(totalMacs(network)).toBe(totalMacs(graph));
      // A bigger input: the Placeholder's -1 batch and fixed 32×32 — a contradicting size is refused, a wrong name too.
      await expect(loadNetwork(join(dir, "model.json"), { inputShapes: { image: [1, 64, 64, 3] } })).rejects.toThrow(/inputShapes\.image\[1\] = 64 contradicts the Placeholder's fixed dimension 32/);
      await expect(loadNetwork(join(dir, "model.json"), { inputShapes: { nope: [1, 32, 32, 3] } })).rejects.toThrow(InvalidArgumentError);
      // A missing shard names the file and the nodes it holds.
      rmSync(join(dir, "group1-shard2of2.bin"));
      await expect(loadNetwork(join(dir, "model.json"))).rejects.toThrow(/model\.json: weight shard "group1-shard2of2\.bin" \(weightsManifest\[0\], holding the weights of nodes "conv1\/kernel", "conv1\/bias", "dw\/kernel", …\) is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("typed errors: shards shorter than the manifest, unknown dtypes, control flow", () => {
    const short = new Map(twins.graph.shards);
    short.set("group1-shard2of2.bin", short.get("group1-shard2of2.bin")!.slice(0, -8));
    expect(() => importTfjsGraphModel(twins.graph.json, "m.json", { shards: short })).toThrow(InvalidModelError);
    expect(() => importTfjsGraphModel(twins.graph.json, "m.json", { shards: short })).toThrow(/m\.json: weight shards "group1-shard1of2\.bin", "group1-shard2of2\.bin" \(weightsManifest\[0\]\) hold \d+ bytes but the manifest's 14 weights need \d+: weight "dense\/bias" \(node "dense\/bias", \[10\] float32\) would end at byte/);
    const bad = clone(twins.graph.json);
    bad.weightsManifest[0]!.weights[3]!.dtype = "float64";
    expect(() => importTfjsGraphModel(bad, "m.json", { shards: twins.graph.shards })).toThrow(/m\.json: weightsManifest\[0\] weight "dw\/bias" \(node "dw\/bias"\) has dtype "float64", which is not one of float32, int32, bool, complex64/);
    const quant = clone(twins.graph.json);
    (quant.weightsManifest[0]!.weights[0] as any).quantization = { dtype: "int4", scale: 1, min: 0 };
    expect(() => importTfjsGraphModel(quant, "m.json", { shards: twins.graph.shards })).toThrow(/weight "conv1\/kernel" \(node "conv1\/kernel"\) is quantized as "int4"/);
    const loop = clone(twins.graph.json);
    (loop.modelTopology as any).node.push({ name: "while/Merge", op: "Merge", input: ["relu", "relu"] });
    expect(() => importTfjsGraphModel(loop, "m.json", { shards: twins.graph.shards })).toThrow(UnsupportedLayerError);
    expect(() => importTfjsGraphModel(loop, "m.json", { shards: twins.graph.shards })).toThrow(/node "while\/Merge" is a Merge \(control flow/);
    const dangling = clone(twins.graph.json);
    (dangling.modelTopology as any).node.push({ name: "x", op: "Relu", input: ["missing"] });
    expect(() => importTfjsGraphModel(dangling, "m.json", { shards: twins.graph.shards })).toThrow(/node "x" \(Relu\) reads "missing", which no node produces/);
  });

  it("without shards: a warning, and the Reshape after it has an unknown shape", () => {
    const { network, warnings } = importTfjsGraphModel(twins.graph.json, "m.json");
    expect(warnings[0]).toMatch(/no weight shards given/);
    expect(network.layers.find((l) => l.name === "zeropad")!.unknownOutputs).toEqual([0]);
  });
});

describe.skipIf(tf === undefined || nsfwMid() === undefined)(`nsfwjs MobileNetV2 "mid" graph model (tfjs-converter v1.7.4)${tf === undefined || nsfwMid() === undefined ? " (skipped: nsfwjs or @tensorflow/tfjs absent)" : ""}`, () => {
  it("imports: 70 layers, shapes equal tfjs-converter's on every node, parameters = manifest − 2 folded scalars", async () => {
    const { json, shards } = nsfwMid()!;
    const { network, warnings } = importTfjsGraphModel(json, "mobilenet_v2_mid/model.json", { shards, layout: "NHWC" });
    expect(warnings).toEqual([]);
    const manifestElements = json.weightsManifest[0].weights.reduce((s: number, w: { shape: number[] }) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(manifestElements).toBe(4_300_775);
    // The two scalar constants of the input scaling (x·2 − 1) become Power parameters, not learned blobs.
    expect(totalParameters(network)).toBe(manifestElements - 2);
    expect(network.layers.length).toBe(70);
    const ops = json.modelTopology.node.filter((n: { op: string }) => n.op !== "Const");
    expect(ops.length).toBe(70);
    const names = network.layers.slice(1).map((l) => l.name);
    const dir = nsfwMidDir()!;
    const data = Buffer.concat(json.weightsManifest[0].paths.map((p: string) => Buffer.from(require(`${dir}${p}.min.js`) as string, "base64")));
    const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length), format: "graph-model" }));
    const outs = model.execute(tf.zeros([1, 224, 224, 3]), names);
    let convMacs = 0;
    names.forEach((name, i) => {
      const layer = network.layers[i + 1]!;
      expect(layer.outputShapes[0], name).toEqual(outs[i].shape);
      if (layer.type === "Convolution") {
        // Independent MACs: output elements × kernel taps per output, from tfjs's shape and the manifest's kernel.
        const node = json.modelTopology.node.find((n: { name: string }) => n.name === name);
        const kernel = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === node.input[1]).shape as number[];
        const taps = node.op.includes("Depthwise") ? kernel[0]! * kernel[1]! : kernel[0]! * kernel[1]! * kernel[2]!;
        convMacs += (outs[i].size as number) * taps;
      }
    });
    expect(network.layers.filter((l) => l.type === "Convolution").reduce((s, l) => s + l.macs, 0)).toBe(convMacs);
    expect(network.layers.map((l) => l.type).filter((t) => t === "Convolution").length).toBe(52);
    expect(network.layers.at(-1)!.outputShapes[0]).toEqual([1, 5]);
  });
});

describe("weights manifest decoding", () => {
  it("dequantizes uint8 / uint16 (q·scale + min) and float16, reads int32 and bool, at the manifest's offsets", () => {
    const bytes = new Uint8Array(2 + 4 + 4 + 8 + 3);
    const view = new DataView(bytes.buffer);
    bytes.set([0, 255], 0); // uint8 ×2
    view.setUint16(2, 0, true);
    view.setUint16(4, 1000, true); // uint16 ×2
    view.setUint16(6, 0x3c00, true); // float16 1
    view.setUint16(8, 0xc100, true); // float16 −2.5
    view.setInt32(10, -7, true);
    view.setInt32(14, 123456, true); // int32 ×2
    bytes.set([1, 0, 1], 18); // bool ×3
    const manifest = [{
      paths: ["a.bin"],
      weights: [
        { name: "q8", shape: [2], dtype: "float32", quantization: { dtype: "uint8", scale: 0.5, min: -1 } },
        { name: "q16", shape: [2], dtype: "float32", quantization: { dtype: "uint16", scale: 0.01, min: 2 } },
        { name: "h", shape: [2], dtype: "float32", quantization: { dtype: "float16" } },
        { name: "i", shape: [2], dtype: "int32" },
        { name: "b", shape: [3], dtype: "bool" },
      ],
    }];
    const decoded = decodeWeights(manifest, "w.json", new Map([["a.bin", bytes]]));
    expect(decoded.get("q8")!.values).toEqual([-1, 126.5]);
    expect(decoded.get("q16")!.values![0]).toBe(2);
    expect(decoded.get("q16")!.values![1]).toBeCloseTo(12, 10);
    expect(decoded.get("h")!.values).toEqual([1, -2.5]);
    expect(decoded.get("i")!.values).toEqual([-7, 123456]);
    expect(decoded.get("b")!.values).toEqual([1, 0, 1]);
    expect(() => decodeWeights(manifest, "w.json", new Map([["a.bin", bytes.slice(1)]]))).toThrow(/w\.json: weight shards "a\.bin" \(weightsManifest\[0\]\) hold 20 bytes but the manifest's 5 weights need 21: weight "b" \(node "b", \[3\] bool\) would end at byte 21/);
    expect(() => decodeWeights(manifest, "w.json", new Map([["a.bin", new Uint8Array([...bytes, 0])]]))).toThrow(/hold 22 bytes but the manifest's 5 weights need 21: the last weight "b" ends at byte 21, 1 bytes are left over/);
  });
});
