/**
 * The built-in model zoo: the five networks of the IONN paper's evaluation
 * (§6.1, Table 1) — AlexNet, GoogLeNet, ResNet-50, Inception-BN-21K (the
 * paper's "Inception") and MobileNet v1 — defined in code by builder
 * functions (one file per network, shared blocks in `blocks.ts`) and turned
 * into runtime {@link Network}s by Caffe's net construction rules
 * (`networkFromCaffeNet`: Input layer, Split insertion, shape inference,
 * parameter counts).
 *
 * | name | runtime layers | learned parameters | follows |
 * |---|---|---|---|
 * | `alexnet` | 24 | 60,965,224 | BVLC `bvlc_alexnet/deploy.prototxt` |
 * | `googlenet` | 152 | 6,998,552 | BVLC `bvlc_googlenet/deploy.prototxt` |
 * | `resnet50` | 245 | 25,610,269 | KaimingHe `ResNet-50-deploy.prototxt` |
 * | `inception-bn-21k` | 312 | 33,641,638 | MXNet Inception-BN full (21,841 classes), Pertusa's Caffe conversion |
 * | `mobilenet-v1` | 112 | 4,253,891 | shicai/MobileNet-Caffe `mobilenet_deploy.prototxt` |
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import { networkFromCaffeNet } from "../caffe/net.js";
import type { CaffeNetSpec } from "../caffe/spec.js";
import type { Network } from "../types.js";
import { alexnetSpec } from "./alexnet.js";
import { googlenetSpec } from "./googlenet.js";
import { inceptionBn21kSpec } from "./inception-bn-21k.js";
import { mobilenetV1Spec } from "./mobilenet-v1.js";
import { resnet50Spec } from "./resnet50.js";

/** The zoo's network names, in the order of the paper's Table 1 columns used across the project. */
export const ZOO_NAMES = ["alexnet", "googlenet", "resnet50", "inception-bn-21k", "mobilenet-v1"] as const;

/** A built-in network name. */
export type ZooName = (typeof ZOO_NAMES)[number];

const BUILDERS: { readonly [name in ZooName]: () => CaffeNetSpec } = {
  alexnet: alexnetSpec,
  googlenet: googlenetSpec,
  resnet50: resnet50Spec,
  "inception-bn-21k": inceptionBn21kSpec,
  "mobilenet-v1": mobilenetV1Spec,
};

/**
 * True when `name` is one of {@link ZOO_NAMES} (exact, case-sensitive).
 *
 * @example
 * ```ts
 * isZooName("resnet50"); // true
 * isZooName("model.prototxt"); // false
 * ```
 */
export function isZooName(name: string): name is ZooName {
  return (ZOO_NAMES as readonly string[]).includes(name);
}

function checkedName(name: string): ZooName {
  if (!isZooName(name)) {
    throw new InvalidArgumentError(
      `model zoo: unknown network "${name}"; valid names are ${ZOO_NAMES.map((n) => `"${n}"`).join(", ")}`,
    );
  }
  return name;
}

/**
 * The Caffe net description of a zoo network, freshly built (callers may
 * modify it, e.g. to change the input size, before importing it).
 *
 * Cost: O(layers), well under a millisecond.
 *
 * @throws {@link InvalidArgumentError} for a name not in {@link ZOO_NAMES}; the message lists the valid names.
 * @example
 * ```ts
 * const spec = zooSpec("googlenet");
 * spec.layer[1]?.name; // "conv1/7x7_s2"
 * ```
 */
export function zooSpec(name: string): CaffeNetSpec {
  return BUILDERS[checkedName(name)]();
}

const networks = new Map<ZooName, Network>();

/** Freezes a value and everything it reaches (typed arrays excepted: they cannot be frozen). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * The runtime {@link Network} of a zoo network: Caffe's runtime layer list
 * (Input and inserted Split layers included) with shapes at batch 1,
 * parameter counts and MACs. Built once per name and memoised; every call
 * returns the same deeply frozen object. Its `name` is the zoo name and
 * its `source` is `zoo:<name>`.
 *
 * Cost: first call O(layers) (a few milliseconds for the largest); later calls O(1).
 *
 * @throws {@link InvalidArgumentError} for a name not in {@link ZOO_NAMES}; the message lists the valid names.
 * @example
 * ```ts
 * const net = zooNetwork("alexnet");
 * net.layers.length; // 24
 * totalParameters(net); // 60965224
 * ```
 */
export function zooNetwork(name: string): Network {
  const zooName = checkedName(name);
  const cached = networks.get(zooName);
  if (cached !== undefined) return cached;
  const built: Network = networkFromCaffeNet(BUILDERS[zooName](), `zoo:${zooName}`);
  const network: Network = deepFreeze({ ...built, name: zooName, source: `zoo:${zooName}` });
  networks.set(zooName, network);
  return network;
}

export { alexnetSpec } from "./alexnet.js";
export { googlenetSpec, inceptionV1Module } from "./googlenet.js";
export type { InceptionV1Config } from "./googlenet.js";
export { resnet50Spec, bottleneckBlock } from "./resnet50.js";
export { inceptionBn21kSpec, inceptionBnModule, IMAGENET_21K_CLASSES } from "./inception-bn-21k.js";
export type { InceptionBnAConfig, InceptionBnBConfig, InceptionBnConfig } from "./inception-bn-21k.js";
export { mobilenetV1Spec, depthwiseSeparableBlock } from "./mobilenet-v1.js";
export type { DepthwiseSeparableConfig } from "./mobilenet-v1.js";
