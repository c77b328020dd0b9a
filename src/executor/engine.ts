/**
 * The common machinery of the bundled executors: loading layers with checked
 * weights, running a set of loaded layers in runtime order on given boundary
 * tensors, and returning the requested tensors. The reference and the
 * shape-only executor differ only in how one layer is computed. Implements the
 * `Executor` of IONN §4 / Figure 3 (the server runs the uploaded layers on the
 * client's boundary tensors).
 *
 * @module
 * @internal
 */
import { InvalidArgumentError, InvalidModelError } from "../errors.js";
import type { Layer } from "../model/types.js";
import { shapeSize, tensorKey } from "../model/types.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "./types.js";
import { formatShape, sameShape } from "./kernels/util.js";
import { assertSupported } from "./layer.js";

/** How an engine computes one (non-Input) layer and treats weights. */
export interface EngineSpec {
  /** Label used in messages (`"reference executor"`). */
  readonly label: string;
  /** Computes one layer's outputs from its inputs. */
  readonly compute: (layer: Layer, inputs: readonly Tensor[], weights: LayerWeights) => Tensor[];
  /** Called for every layer run, Input layers included, before it is computed. */
  readonly onLayer?: (layer: Layer) => void;
  /** Weights for a layer that was loaded without any; undefined: such a load is an error. */
  readonly missingWeights?: (layer: Layer) => LayerWeights;
  /** Weights may be omitted entirely (the layer keeps none; default false). */
  readonly weightsOptional?: boolean;
  /** Accept layer types the reference kernels do not know (default false). */
  readonly anyType?: boolean;
  /** Check computed output shapes against {@link Layer.outputShapes} (default true). */
  readonly checkOutputShapes?: boolean;
}

interface LoadedLayer {
  readonly layer: Layer;
  readonly weights: LayerWeights;
}

/** Builds an {@link Executor} from an {@link EngineSpec}. */
export function createEngine(spec: EngineSpec): Executor {
  const loaded = new Map<number, LoadedLayer>();

  function checkWeights(layer: Layer, weights: LayerWeights): void {
    const expected = layer.paramShapes;
    if (weights.length !== expected.length) {
      throw new InvalidArgumentError(
        `${spec.label}: layer "${layer.name}" (${layer.type}) needs ${expected.length} weight blob(s), got ${weights.length}`,
      );
    }
    expected.forEach((shape, i) => {
      const blob = weights[i]!;
      if (!(blob instanceof Float32Array) || blob.length !== shapeSize(shape)) {
        throw new InvalidArgumentError(
          `${spec.label}: layer "${layer.name}" weight blob ${i} has ${blob instanceof Float32Array ? blob.length : "no Float32Array"} values, ` +
            `expected ${shapeSize(shape)} for shape ${formatShape(shape)}`,
        );
      }
    });
  }

  return {
    async load(layers: readonly Layer[], weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
      const staged: LoadedLayer[] = [];
      for (const layer of layers) {
        if (spec.anyType !== true) assertSupported(layer);
        let blobs = weights.get(layer.name);
        if (blobs === undefined && spec.weightsOptional === true) {
          staged.push({ layer, weights: [] });
          continue;
        }
        if (blobs === undefined) {
          if (layer.paramShapes.length === 0) blobs = [];
          else if (spec.missingWeights !== undefined) blobs = spec.missingWeights(layer);
          else {
            throw new InvalidArgumentError(
              `${spec.label}: no weights for layer "${layer.name}" (${layer.type}), which has ${layer.paramShapes.length} blob(s)`,
            );
          }
        }
        checkWeights(layer, blobs);
        staged.push({ layer, weights: blobs });
      }
      // All checked: commit (a failed load changes nothing).
      for (const entry of staged) loaded.set(entry.layer.index, entry);
    },

    async run(layerIndices: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
      const order = [...new Set(layerIndices)].sort((a, b) => a - b);
      const plan = order.map((index) => {
        const entry = loaded.get(index);
        if (entry === undefined) {
          throw new InvalidArgumentError(`${spec.label}: layer ${index} is not loaded (loaded: ${describeLoaded(loaded)})`);
        }
        return entry;
      });
      // Last position at which each tensor is read, so dead intermediates can be dropped.
      const lastRead = new Map<string, number>();
      plan.forEach(({ layer }, position) => {
        for (const ref of layer.inputs) lastRead.set(tensorKey(ref), position);
      });
      const wanted = new Set(outputs);
      const produced = new Map<string, Tensor>();
      plan.forEach(({ layer, weights }, position) => {
        spec.onLayer?.(layer);
        if (layer.type === "Input") {
          layer.tops.forEach((_, top) => {
            const key = tensorKey({ layer: layer.index, top });
            const tensor = produced.get(key) ?? inputs.get(key);
            if (tensor === undefined) {
              throw new InvalidArgumentError(
                `${spec.label}: Input layer "${layer.name}" needs its tensor ${key} in the run's inputs`,
              );
            }
            produced.set(key, checkInput(layer, layer.outputShapes[top], tensor, key));
          });
          return;
        }
        const args = layer.inputs.map((ref, i) => {
          const key = tensorKey(ref);
          const tensor = produced.get(key) ?? inputs.get(key);
          if (tensor === undefined) {
            const producer = loaded.get(ref.layer)?.layer.name ?? `layer ${ref.layer}`;
            throw new InvalidArgumentError(
              `${spec.label}: layer "${layer.name}" reads tensor ${key} (top ${ref.top} of "${producer}"), ` +
                `which is neither produced by the layers run nor given in inputs`,
            );
          }
          return checkInput(layer, layer.inputShapes[i], tensor, key);
        });
        const results = spec.compute(layer, args, weights);
        if (results.length !== layer.tops.length) {
          throw new InvalidModelError(`${spec.label}: layer "${layer.name}" produced ${results.length} tensors for ${layer.tops.length} tops`);
        }
        results.forEach((tensor, top) => {
          const declared = layer.outputShapes[top];
          if (spec.checkOutputShapes !== false && declared !== undefined && !sameShape(declared, tensor.shape)) {
            throw new InvalidModelError(
              `${spec.label}: layer "${layer.name}" computed output ${top} of shape ${formatShape(tensor.shape)}, ` +
                `but the network declares ${formatShape(declared)}`,
            );
          }
          produced.set(tensorKey({ layer: layer.index, top }), tensor);
        });
        for (const ref of layer.inputs) {
          const key = tensorKey(ref);
          if (lastRead.get(key) === position && !wanted.has(key)) produced.delete(key);
        }
      });
      const result = new Map<string, Tensor>();
      for (const key of outputs) {
        const tensor = produced.get(key) ?? inputs.get(key);
        if (tensor === undefined) {
          throw new InvalidArgumentError(
            `${spec.label}: requested output ${key} is neither produced by layers [${order.join(", ")}] nor given in inputs`,
          );
        }
        result.set(key, tensor);
      }
      return result;
    },

    loadedLayers(): ReadonlySet<string> {
      return new Set([...loaded.values()].map((entry) => entry.layer.name));
    },
  };

  /** Checks a tensor's size against the declared shape; returns it viewed with that shape. */
  function checkInput(layer: Layer, declared: readonly number[] | undefined, tensor: Tensor, key: string): Tensor {
    if (declared === undefined) return tensor;
    if (shapeSize(tensor.shape) !== shapeSize(declared) || tensor.data.length !== shapeSize(declared)) {
      throw new InvalidArgumentError(
        `${spec.label}: layer "${layer.name}" expects tensor ${key} of shape ${formatShape(declared)}, ` +
          `got shape ${formatShape(tensor.shape)} with ${tensor.data.length} values`,
      );
    }
    return sameShape(declared, tensor.shape) ? tensor : { shape: declared, data: tensor.data };
  }
}

function describeLoaded(loaded: ReadonlyMap<number, LoadedLayer>): string {
  if (loaded.size === 0) return "none";
  const indices = [...loaded.keys()].sort((a, b) => a - b);
  return indices.length <= 12 ? indices.join(", ") : `${indices.slice(0, 12).join(", ")}, … (${indices.length} layers)`;
}
