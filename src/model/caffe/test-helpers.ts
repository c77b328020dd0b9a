/**
 * Helpers shared by the Caffe importer's tests (not exported by the package).
 *
 * @internal
 * @module
 */
import type { Layer, Network } from "../types.js";
import { importCaffePrototxt } from "./index.js";

/** The layer of that name; throws when there is none. */
export function byName(net: Network, name: string): Layer {
  const layer = net.layers.find((l) => l.name === name);
  if (layer === undefined) throw new Error(`no layer ${name}`);
  return layer;
}

/** An Input layer `data` of the given shape, then the given layer text. */
export function net(shape: number[], body: string): Network {
  const dims = shape.map((d) => `dim: ${d}`).join(" ");
  return importCaffePrototxt(`name: "t"\nlayer { name: "data" type: "Input" top: "data" input_param { shape { ${dims} } } }\n${body}`, "t.prototxt");
}

/** The error `fn` throws; throws when it does not. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
