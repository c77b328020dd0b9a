/**
 * The reference executor module: float32 kernels for the Caffe layer types,
 * the in-process {@link referenceExecutor}, the {@link shapeOnlyExecutor} the
 * simulator uses, seeded weights and the local-run oracle (IONN §4, Figure 3).
 *
 * @module
 */
export { referenceExecutor } from "./reference.js";
export type { ReferenceExecutorOptions } from "./reference.js";
export { shapeOnlyExecutor } from "./shape-only.js";
export type { ShapeOnlyExecutorOptions } from "./shape-only.js";
export { mulberry32, randomWeights } from "./random-weights.js";
export { runLocally } from "./run-locally.js";
export {
  SUPPORTED_LAYER_TYPES,
  assertSupported,
  forwardLayer,
  layerOutputShapes,
  layerParamShapes,
} from "./layer.js";
export type { LayerSignature } from "./layer.js";
export { convolution, convolutionOutputShape, convolutionOutputSize, convolutionParamShapes } from "./kernels/convolution.js";
export { sgemm, sgemmBackend } from "./kernels/gemm.js";
export { pooling, poolingOutputShape, pooledSize, poolingWindow } from "./kernels/pooling.js";
export type { PoolingWindow } from "./kernels/pooling.js";
export { innerProduct, innerProductOutputShape, innerProductParamShapes } from "./kernels/inner-product.js";
export { dropout, relu } from "./kernels/activation.js";
export { lrn } from "./kernels/lrn.js";
export { softmax } from "./kernels/softmax.js";
export { batchNorm, bias, scale } from "./kernels/normalization.js";
export { absVal, bnll, clip, elu, exp, log, power, prelu, sigmoid, swish, tanh, threshold } from "./kernels/elementwise.js";
export type { ExpLogParams, PowerParams } from "./kernels/elementwise.js";
export { deconvolution, deconvolutionOutputShape, deconvolutionParamShapes } from "./kernels/deconvolution.js";
export { crop, cropOutputShape, slice, sliceOutputShapes, tile, tileOutputShape } from "./kernels/rearrange.js";
export type { CropParams, SliceParams, TileParams } from "./kernels/rearrange.js";
export { argMax, argMaxOutputShape, reduction, reductionOutputShape } from "./kernels/reduce.js";
export type { ArgMaxParams, ReductionParams } from "./kernels/reduce.js";
export { concat, concatOutputShape, eltwise, split } from "./kernels/combine.js";
export { flatten, flattenOutputShape, reshape, reshapeOutputShape } from "./kernels/reshape.js";
