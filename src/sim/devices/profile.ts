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
  return new Float64Array(deviceTimes(device, network));
}

/**
 * {@link deviceProfile} as a plain array (what the CLI plans with: at 10^6
 * layers a typed array is external memory, which makes V8 run full GCs).
 * @internal
 */
export function deviceTimes(device: DeviceModel | string, network: Network): number[] {
  const model = typeof device === "string" ? deviceByName(device) : device;
  const layers = network.layers;
  const times = new Array<number>(layers.length).fill(0);
  if (typeof device !== "string") {
    for (let i = 0; i < layers.length; i++) times[i] = model.layerMs(layers[i]!);
    return times;
  }
  // A built-in model's time depends only on the type, params, shapes and parameter count, and importers
  // share equal shape lists and params between layers: layers with the same ones (by identity) share one evaluation.
  const memo = new Map<object, { type: string; params: object; inputShapes: object; parameters: number; ms: number }[]>();
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const entries = memo.get(layer.outputShapes);
    let ms: number | undefined;
    if (entries !== undefined) {
      for (const e of entries) {
        if (e.type === layer.type && e.params === layer.params && e.inputShapes === layer.inputShapes && e.parameters === layer.parameters) {
          ms = e.ms;
          break;
        }
      }
    }
    if (ms === undefined) {
      ms = model.layerMs(layer);
      const entry = { type: layer.type, params: layer.params, inputShapes: layer.inputShapes, parameters: layer.parameters, ms };
      if (entries !== undefined) {
        if (entries.length < 16) entries.push(entry);
      } else if (memo.size < 4096) memo.set(layer.outputShapes, [entry]);
    }
    times[i] = ms;
  }
  return times;
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
