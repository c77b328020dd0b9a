/**
 * `ionn/onnxruntime` — the ONNX Runtime executor, an {@link Executor} that
 * runs layers of an imported ONNX model with `onnxruntime-node`.
 *
 * `onnxruntime-node` is an optional peer dependency (about 110 MB): install
 * it yourself (`npm install onnxruntime-node`) to use this entry; without it
 * {@link onnxRuntimeExecutor} rejects with a {@link MissingDependencyError}
 * naming the package. The main entry (`ionn`) never loads it.
 *
 * @example
 * ```ts
 * import { importOnnx } from "ionn";
 * import { onnxRuntimeExecutor } from "ionn/onnxruntime";
 * const { network } = importOnnx(bytes, "cls.onnx", { inputShapes: { x: [1, 3, 48, 192] } });
 * const executor = await onnxRuntimeExecutor(bytes, network);
 * ```
 *
 * @packageDocumentation
 */
export { loadOrt, onnxRuntimeExecutor } from "./executor/ort-executor.js";
export type { OnnxRuntimeExecutorOptions, Ort, OrtSession, OrtTensor, OrtTensorConstructor } from "./executor/ort-executor.js";
export { MissingDependencyError } from "./errors.js";
export type { Executor, LayerWeights, Tensor, TensorMap } from "./executor/types.js";
export { ORT_LAYER_TYPES, ortLayerExecutor } from "./executor/ort-layers.js";
export type { OrtLayerExecutorOptions } from "./executor/ort-layers.js";
