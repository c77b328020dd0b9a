/**
 * Modelled execution profiles: a device cost model applied to every layer of
 * a network, in runtime order (the order of the published profiles). Used by
 * the planner and the CLI when no profile file is given (IONN §4: the client
 * profile and the server's prediction functions feed the planner).
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Network } from "../../model/types.js";
import type { DeviceModel } from "./cost-model.js";
import { gtx1080Ti } from "./gtx-1080ti.js";
import { odroidXu4 } from "./odroid-xu4.js";

/** Names accepted by {@link deviceByName}. */
export const DEVICE_NAMES = ["odroid-xu4", "gtx-1080ti"] as const;

/** A built-in device name. */
export type DeviceName = (typeof DEVICE_NAMES)[number];

/**
 * The built-in device model of that name.
 * @throws {@link InvalidArgumentError} listing the valid names.
 */
export function deviceByName(name: string): DeviceModel {
  switch (name) {
    case "odroid-xu4":
      return odroidXu4();
    case "gtx-1080ti":
      return gtx1080Ti();
    default:
      throw new InvalidArgumentError(`unknown device "${name}" (expected one of ${DEVICE_NAMES.join(", ")})`);
  }
}

/**
 * Modelled per-layer times (ms) of a network on a device, indexed by runtime
 * layer index. Cost: O(layers).
 * @throws {@link InvalidArgumentError} for an unknown device name.
 * @example
 * ```ts
 * const clientMs = deviceProfile("odroid-xu4", zooNetwork("alexnet")); // Float64Array(24)
 * ```
 */
export function deviceProfile(device: DeviceModel | string, network: Network): Float64Array {
  const model = typeof device === "string" ? deviceByName(device) : device;
  return Float64Array.from(network.layers, (layer) => model.layerMs(layer));
}

/** The JSON shape of `ionn profile --json`. */
export interface ModelledProfile {
  readonly device: string;
  readonly totalMs: number;
  readonly layers: readonly { readonly name: string; readonly type: string; readonly ms: number }[];
}

/**
 * {@link deviceProfile} with layer names and types and the total, as printed
 * by `ionn profile <model> --device … --json`.
 */
export function modelledProfile(device: DeviceModel | string, network: Network): ModelledProfile {
  const model = typeof device === "string" ? deviceByName(device) : device;
  const ms = deviceProfile(model, network);
  let totalMs = 0;
  for (const v of ms) totalMs += v;
  return { device: model.name, totalMs, layers: network.layers.map((l, i) => ({ name: l.name, type: l.type, ms: ms[i]! })) };
}
