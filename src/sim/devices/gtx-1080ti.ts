/**
 * Simulated IONN edge server: x86 host with an NVIDIA GTX 1080 Ti running
 * Caffe on the GPU (IONN §2, §6.1).
 *
 * Constants: fitted by `npx tsx scripts/calibrate-devices.ts` (method in
 * scripts/calibration.ts: per cost class, a non-negative least-squares fit of
 * the authors' published GPU-server per-layer times for AlexNet, GoogLeNet
 * and ResNet-50 — 421 layers matched by runtime position — minimising squared
 * relative error, then each class scaled to its published total), rounded to
 * 4 significant digits. At batch 1 these GPU times are dominated by fixed
 * per-layer costs (kernel launches: ≈ 0.006 ms for a ReLU, ≈ 0.03 ms for
 * Caffe's multi-kernel BatchNorm, ≈ 0.08 ms for a convolution) and, for
 * convolutions, by weight traffic (GEMMs with a small spatial side): the fit
 * gives the convolution MAC term 0 (the 1080 Ti's ≈ 11 TMAC/s peak makes it
 * negligible next to the rest); fully connected ≈ 270 GB/s of weights.
 * Calibration error (docs/results-devices.md): totals within 5%, per-layer
 * median absolute relative error 8–16%.
 *
 * NOT calibrated (no published depthwise layer): `depthwiseConvolution`.
 * Assumption: Caffe/cuDNN runs a depthwise layer as one convolution call per
 * group (≈ 0.005 ms of launches per group) at ≈ 0.2 TMAC/s; `other` reuses
 * ReLU's constants.
 *
 * @module
 */
import { deviceModel, type DeviceConstants, type DeviceModel } from "./cost-model.js";

/** The GTX 1080 Ti constants (see the module comment for their origin). */
export const GTX_1080TI_CONSTANTS: DeviceConstants = {
  convolution: { fixedMs: 0.07799, nsPerMac: 0, nsPerWeightByte: 0.01711, nsPerActivationByte: 0 },
  depthwiseConvolution: { fixedMs: 0.07799, nsPerMac: 0.005, msPerGroup: 0.005 },
  innerProduct: { fixedMs: 0.01525, nsPerWeightByte: 0.003688 },
  pooling: { fixedMs: 0.008877, nsPerWindowElement: 0.005824, nsPerInputElement: 0.0117 },
  lrn: { fixedMs: 0.0124, nsPerElement: 0.02092 },
  relu: { fixedMs: 0.005875, nsPerElement: 0.01317 },
  batchNorm: { fixedMs: 0.0292, nsPerElement: 0.05862 },
  scale: { fixedMs: 0.008898, nsPerElement: 0.04305 },
  eltwise: { fixedMs: 0.005985, nsPerElement: 0.02773 },
  concat: { fixedMs: 0.01219, nsPerElement: 0.01965 },
  softmax: { fixedMs: 0.01134, nsPerElement: 0 },
  dropout: { fixedMs: 0.0009665, nsPerElement: 0.03748 },
  other: { fixedMs: 0.005875, nsPerElement: 0.01317 },
  dataFreeMs: 0.001154,
};

/**
 * The GTX 1080 Ti server cost model.
 * @example
 * ```ts
 * const ms = gtx1080Ti().layerMs(network.layers[1]!);
 * ```
 */
export function gtx1080Ti(): DeviceModel {
  return deviceModel("gtx-1080ti", "GTX 1080 Ti GPU server (Caffe), the IONN edge server", GTX_1080TI_CONSTANTS);
}
