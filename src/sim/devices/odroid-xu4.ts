/**
 * Simulated IONN client: Odroid-XU4 (Samsung Exynos 5422, ARM big.LITTLE,
 * 2.0/1.5 GHz × 4, 2 GB) running Caffe on its CPU (IONN §2, §6.1).
 *
 * Constants: fitted by `npx tsx scripts/calibrate-devices.ts` (method in
 * scripts/calibration.ts: per cost class, a non-negative least-squares fit of
 * the authors' published Odroid-XU4 per-layer times for AlexNet, GoogLeNet
 * and ResNet-50 — 421 layers matched by runtime position — minimising squared
 * relative error, then each class scaled to its published total), rounded to
 * 4 significant digits. Read as rates: dense convolution ≈ 1.6 GMAC/s plus
 * weight and im2col traffic; fully connected ≈ 0.75 GB/s of weights
 * (memory-bound); ReLU ≈ 8.7 ns/element; LRN ≈ 32 ns per element × local_size.
 * Calibration error (docs/results-devices.md): totals within 4%, per-layer
 * median absolute relative error 2–8%.
 *
 * NOT calibrated (no published depthwise layer): `depthwiseConvolution`.
 * Assumption: Caffe runs a depthwise layer as one im2col + GEMV-shaped GEMM
 * per group, so ≈ 4× the dense cost per MAC (2.5 ns/MAC) plus 0.01 ms per
 * group; `other` reuses ReLU's constants.
 *
 * @module
 */
import { deviceModel, type DeviceConstants, type DeviceModel } from "./cost-model.js";

/** The Odroid-XU4 constants (see the module comment for their origin). */
export const ODROID_XU4_CONSTANTS: DeviceConstants = {
  convolution: { fixedMs: 0.267, nsPerMac: 0.6172, nsPerWeightByte: 1.34, nsPerActivationByte: 0.5302 },
  depthwiseConvolution: { fixedMs: 0.267, nsPerMac: 2.5, msPerGroup: 0.01 },
  innerProduct: { fixedMs: 0, nsPerWeightByte: 1.33 },
  pooling: { fixedMs: 0.1352, nsPerWindowElement: 6.517, nsPerInputElement: 1.315 },
  lrn: { fixedMs: 0, nsPerElement: 31.74 },
  relu: { fixedMs: 0.003797, nsPerElement: 8.652 },
  batchNorm: { fixedMs: 0, nsPerElement: 16.24 },
  scale: { fixedMs: 0, nsPerElement: 8.144 },
  eltwise: { fixedMs: 0, nsPerElement: 4.293 },
  concat: { fixedMs: 0, nsPerElement: 2.492 },
  softmax: { fixedMs: 0.1091, nsPerElement: 0 },
  dropout: { fixedMs: 0.01063, nsPerElement: 13.64 },
  other: { fixedMs: 0.003797, nsPerElement: 8.652 },
  dataFreeMs: 0.006664,
};

/**
 * The Odroid-XU4 client cost model.
 * @example
 * ```ts
 * const ms = odroidXu4().layerMs(network.layers[1]!);
 * ```
 */
export function odroidXu4(): DeviceModel {
  return deviceModel("odroid-xu4", "Odroid-XU4 (Exynos 5422 ARM CPU, Caffe), the IONN client", ODROID_XU4_CONSTANTS);
}
