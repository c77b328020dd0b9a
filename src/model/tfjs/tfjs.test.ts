/**
 * Tests of the TF.js layers-model importer on a real model shipped inside an
 * npm package (nsfwjs@4.3.0: dist/models/mobilenet_v2, a Keras 2.2.4
 * MobileNetV2 converted to TF.js, 162 layers, uint8-quantized weights), and
 * on models built and serialized by tfjs-layers itself. The independent
 * reference is tfjs-layers (the @tensorflow/tfjs peer of nsfwjs): it rebuilds
 * the model from the same JSON and reports each layer's output shape and
 * parameter count.
 */
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-layers";
import { io } from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { describe, expect, it } from "vitest";
import { InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import { planNetwork } from "../../plan/index.js";
import { totalParameters, type Network } from "../types.js";
import { importTfjsLayersModel, importTfjsLayersModelDetailed } from "./index.js";

const require = createRequire(import.meta.url);

interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[] }[];
}

/** nsfwjs ships model.json and its shard as UMD modules (the JSON object, and the shard as base64). */
const NSFW_DIR = require.resolve("nsfwjs").replace(/dist[\\/]cjs[\\/]index\.js$/, "dist/models/mobilenet_v2/");
const mobilenetJson = require(`${NSFW_DIR}model.min.js`) as ModelJson;
const mobilenetShard = require(`${NSFW_DIR}group1-shard1of1.min.js`) as string;

/** Rebuild with tfjs-layers: per-layer [name, outputShape with batch 1, countParams]. */
async function tfjsReference(modelTopology: object): Promise<{ rows: [string, number[], number][]; params: number }> {
  return tfjsRows(await tf.loadLayersModel({ load: async () => ({ modelTopology }) }));
}

/**
 * Per-layer rows of a tfjs-layers model. For models built in the test we read
 * the built model itself: a SeparableConv2D rebuilt by loadLayersModel
 * without weights reports 124 parameters instead of the 238 its saved
 * weight specs hold (3·3·6·2 + 1·1·12·10 + 10), so the rebuilt model is not a
 * reliable reference for that layer.
 */
function tfjsRows(model: tf.LayersModel): { rows: [string, number[], number][]; params: number } {
  const rows = model.layers.map((l): [string, number[], number] => [l.name, (l.outputShape as (number | null)[]).map((d) => d ?? 1), l.countParams()]);
  return { rows, params: model.countParams() };
}

function ours(network: Network): [string, number[], number][] {
  return network.layers.map((l) => [l.name, [...l.outputShapes[0]!], l.parameters]);
}

const BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };

describe("importTfjsLayersModel on nsfwjs@4.3.0 MobileNetV2 (dist/models/mobilenet_v2)", () => {
  const { network, warnings } = importTfjsLayersModelDetailed(mobilenetJson, "nsfwjs/mobilenet_v2/model.json", { layout: "NHWC" });
  const nchw = importTfjsLayersModel(mobilenetJson, "nsfwjs/mobilenet_v2/model.json");

  it("matches tfjs-layers layer by layer: names, output shapes (channels-last, batch 1) and parameter counts", async () => {
    const reference = await tfjsReference(mobilenetJson.modelTopology);
    expect(ours(network)).toEqual(reference.rows);
    expect(totalParameters(network)).toBe(reference.params);
    expect(network.layers.length).toBe(162);
    expect(totalParameters(network)).toBe(2_619_461);
    expect(warnings).toEqual([]);
  });

  it("counts exactly the parameters stored in the weight shard (its byte length, by quantized dtype)", () => {
    const shardBytes = Buffer.from(mobilenetShard, "base64").length;
    const weights = mobilenetJson.weightsManifest.flatMap((g) => g.weights);
    const expectedBytes = weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * BYTES[w.quantization?.dtype ?? w.dtype]!, 0);
    expect(shardBytes).toBe(expectedBytes);
    // every weight is uint8-quantized: one byte per parameter
    expect(shardBytes).toBe(totalParameters(network));
  });

  it("wires the residual Add layers to two producers and maps types onto Caffe's vocabulary", () => {
    const adds = network.layers.filter((l) => l.params && (l.params as { keras?: { className?: string } }).keras?.className === "Add");
    expect(adds.length).toBe(10);
    for (const add of adds) {
      expect(add.type).toBe("Eltwise");
      expect(add.inputs.length).toBe(2);
      expect(add.inputShapes[0]).toEqual(add.inputShapes[1]);
    }
    const types = new Set(network.layers.map((l) => l.type));
    expect([...types].sort()).toEqual(["BatchNorm", "Convolution", "Dropout", "Eltwise", "Flatten", "InnerProduct", "Input", "Pooling", "ReLU", "ZeroPadding2D"]);
    const depthwise = network.layers.find((l) => l.name === "expanded_conv_depthwise")!;
    expect(depthwise.params).toMatchObject({ group: 32, numOutput: 32, kernelH: 3 });
    expect(network.outputs.map((o) => network.layers[o.layer]!.name)).toEqual(["dense_3"]);
    expect(network.layers[network.outputs[0]!.layer]!.outputShapes[0]).toEqual([1, 5]);
  });

  it("records NCHW shapes by default: the channels axis moves to position 1, everything else equal", () => {
    expect(nchw.layers[0]!.outputShapes[0]).toEqual([1, 3, 224, 224]);
    nchw.layers.forEach((layer, i) => {
      const nhwc = network.layers[i]!;
      expect(layer.outputShapes[0]).toEqual(nhwc.outputShapes[0]!.length === 4 ? [1, nhwc.outputShapes[0]![3], nhwc.outputShapes[0]![1], nhwc.outputShapes[0]![2]] : nhwc.outputShapes[0]);
      expect([layer.name, layer.type, layer.parameters, layer.macs]).toEqual([nhwc.name, nhwc.type, nhwc.parameters, nhwc.macs]);
    });
  });

  it("gets an upload plan at 80 Mbps (paper preset, K = 0.5, costs proportional to MACs)", () => {
    const { plan } = planNetwork(
      nchw,
      { clientMs: nchw.layers.map((l) => l.macs * 1e-6 + 0.01), serverMs: nchw.layers.map((l) => l.macs * 5e-8 + 0.01) },
      { preset: "paper", mbps: 80, K: 0.5 },
    );
    expect(plan.partitions.length).toBeGreaterThan(0);
    const all = plan.partitions.flatMap((p) => p.layers);
    expect(new Set(all).size).toBe(all.length);
  });
});

/** Serialize a tfjs-layers model the way `model.save` does (topology + weight specs). */
async function saved(model: tf.LayersModel): Promise<ModelJson> {
  let artifacts: io.ModelArtifacts | undefined;
  await model.save(io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  return {
    modelTopology: artifacts!.modelTopology as Record<string, unknown>,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts!.weightSpecs as ModelJson["weightsManifest"][0]["weights"] }],
  };
}

describe("importTfjsLayersModel on models serialized by tfjs-layers", () => {
  it("Sequential without InputLayer: strided/dilated/same/valid convolutions, separable conv, pooling, dense", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [33, 31, 3], filters: 8, kernelSize: 3, strides: 2, padding: "same" }),
        tf.layers.conv2d({ filters: 6, kernelSize: [3, 5], dilationRate: 2, padding: "valid", useBias: false }),
        tf.layers.separableConv2d({ filters: 10, kernelSize: 3, depthMultiplier: 2, padding: "same" }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 3 }),
        tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }),
        tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 7, activation: "relu" }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.reshape({ targetShape: [7, 1] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    const json = await saved(model);
    const network = importTfjsLayersModel(json, "seq.json", { layout: "NHWC" });
    const reference = tfjsRows(model);
    // our list has the implicit input layer first, as TF.js's model.layers does not
    expect(network.layers[0]!.type).toBe("Input");
    expect(network.layers[0]!.outputShapes[0]).toEqual([1, 33, 31, 3]);
    expect(ours(network).slice(1)).toEqual(reference.rows);
    expect(totalParameters(network)).toBe(reference.params);
    expect(network.layers[1]!.outputShapes[0]).toEqual([1, 17, 16, 8]); // ceil(33/2), ceil(31/2)
    expect(network.layers[1]!.macs).toBe(17 * 16 * 8 * 3 * 3 * 3);
    expect(network.layers[10]!.type).toBe("InnerProduct"); // Dense with a fused relu stays one layer
  });

  it("functional model: two branches, Concatenate, Add, Multiply, global pooling, upsampling, cropping", async () => {
    const input = tf.input({ shape: [16, 16, 4], name: "image" });
    const a = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: "a" }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", name: "b" }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: "sum" }).apply([a, b]) as tf.SymbolicTensor;
    const prod = tf.layers.multiply({ name: "prod" }).apply([a, sum]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: "cat" }).apply([sum, prod, input]) as tf.SymbolicTensor;
    const up = tf.layers.upSampling2d({ size: [2, 2], name: "up" }).apply(cat) as tf.SymbolicTensor;
    const crop = tf.layers.cropping2D({ cropping: [[1, 1], [2, 0]], name: "crop" }).apply(up) as tf.SymbolicTensor;
    const relu = tf.layers.activation({ activation: "relu", name: "relu" }).apply(crop) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(relu) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: "out" }).apply(gap) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const json = await saved(model);
    const network = importTfjsLayersModel(json, "functional.json", { layout: "NHWC" });
    const reference = tfjsRows(model);
    expect(ours(network)).toEqual(reference.rows);
    const byName = new Map(network.layers.map((l) => [l.name, l]));
    expect(byName.get("cat")!.outputShapes[0]).toEqual([1, 16, 16, 20]);
    expect(byName.get("cat")!.inputs.map((r) => network.layers[r.layer]!.name)).toEqual(["sum", "prod", "image"]);
    expect(byName.get("relu")!.type).toBe("ReLU");
    expect(byName.get("sum")!.params).toMatchObject({ operation: "sum" });
    expect(byName.get("prod")!.params).toMatchObject({ operation: "prod" });
    expect(network.inputs).toEqual([{ layer: 0, top: 0 }]);
    const catNchw = importTfjsLayersModel(json, "functional.json").layers.find((l) => l.name === "cat")!;
    expect(catNchw.outputShapes[0]).toEqual([1, 20, 16, 16]);
    expect(catNchw.params).toMatchObject({ axis: 1 });
  });
});

describe("importTfjsLayersModel errors", () => {
  it("a model.json without modelTopology is an InvalidModelError naming the file and the field", () => {
    const noTopology = { weightsManifest: mobilenetJson.weightsManifest };
    expect(() => importTfjsLayersModel(noTopology, "models/broken/model.json")).toThrow(InvalidModelError);
    expect(() => importTfjsLayersModel(noTopology, "models/broken/model.json")).toThrow(/models\/broken\/model\.json: .*modelTopology/);
  });

  it("a topology without model_config names the field", () => {
    expect(() => importTfjsLayersModel({ modelTopology: { keras_version: "2.2.4" } }, "m.json")).toThrow(/m\.json: modelTopology has no model_config/);
  });

  it("a graph model is refused with a clear message", () => {
    expect(() => importTfjsLayersModel({ modelTopology: { node: [] }, format: "graph-model" }, "g.json")).toThrow(/graph model/);
  });

  it("a layer reading a missing layer names both", () => {
    const json = {
      modelTopology: {
        model_config: {
          class_name: "Model",
          config: {
            name: "m",
            layers: [
              { name: "in", class_name: "InputLayer", config: { batch_input_shape: [null, 4] }, inbound_nodes: [] },
              { name: "d", class_name: "Dense", config: { units: 2 }, inbound_nodes: [[["ghost", 0, 0, {}]]] },
            ],
            input_layers: [["in", 0, 0]],
            output_layers: [["d", 0, 0]],
          },
        },
      },
    };
    expect(() => importTfjsLayersModel(json, "m.json")).toThrow(/layer "d" reads "ghost"/);
  });

  it("an unknown layer class becomes an opaque layer with a warning; a nested model is an UnsupportedLayerError", () => {
    const layers = [
      { name: "in", class_name: "InputLayer", config: { batch_input_shape: [null, 4] }, inbound_nodes: [] },
      { name: "magic", class_name: "MyCustomLayer", config: {}, inbound_nodes: [[["in", 0, 0, {}]]] },
    ];
    const json = (ls: unknown[]) => ({ modelTopology: { model_config: { class_name: "Model", config: { name: "m", layers: ls, input_layers: [["in", 0, 0]], output_layers: [["magic", 0, 0]] } } } });
    const { network, warnings } = importTfjsLayersModelDetailed(json(layers), "m.json");
    expect(network.layers[1]).toMatchObject({ type: "MyCustomLayer", opaque: true, outputShapes: [[]] });
    expect(warnings.join("\n")).toMatch(/opaque.*MyCustomLayer ×1 \(magic\)/);
    const nested = [layers[0], { name: "inner", class_name: "Sequential", config: { layers: [] }, inbound_nodes: [[["in", 0, 0, {}]]] }];
    expect(() => importTfjsLayersModel(json(nested), "m.json")).toThrow(UnsupportedLayerError);
  });
});
