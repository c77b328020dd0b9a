/**
 * Simulated device cost models (IONN §2, §6.1): the Odroid-XU4 client and the
 * GTX 1080 Ti edge server, and per-network modelled profiles.
 *
 * @module
 */
export {
  classCoefficients,
  convolutionMacs,
  costClass,
  costFeatures,
  deviceModel,
  elementCount,
  isDepthwise,
  layerMsFromConstants,
} from "./cost-model.js";
export type {
  ConvolutionConstants,
  CostClass,
  DepthwiseConstants,
  DeviceConstants,
  DeviceModel,
  ElementConstants,
  InnerProductConstants,
  PoolingConstants,
} from "./cost-model.js";
export { ODROID_XU4_CONSTANTS, odroidXu4 } from "./odroid-xu4.js";
export { GTX_1080TI_CONSTANTS, gtx1080Ti } from "./gtx-1080ti.js";
export { DEVICE_NAMES, deviceByName, deviceProfile, modelledProfile } from "./profile.js";
export type { DeviceName, ModelledProfile } from "./profile.js";
