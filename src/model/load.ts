/**
 * One entry point to get a {@link Network} from what a user types: a zoo
 * name (`alexnet`) or a model file, recognised by its extension or by an
 * explicit format.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { IonnError, InvalidArgumentError, InvalidModelError } from "../errors.js";
import { importCaffePrototxtDetailed } from "./caffe/index.js";
import type { Network } from "./types.js";
import { isZooName, ZOO_NAMES, zooNetwork } from "./zoo/index.js";

/** Model file formats {@link loadNetwork} reads. */
export const MODEL_FORMATS = ["caffe", "onnx", "tfjs"] as const;

/** A model file format. */
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Options of {@link loadNetwork}. */
export interface LoadNetworkOptions {
  /** Force a format instead of guessing it from the extension. */
  readonly format?: ModelFormat;
  /**
   * Concrete shapes of inputs by name, batch included, in the model's own
   * layout, for every format: ONNX graph inputs (e.g. `{ x: [1, 3, 48, 192] }`
   * for symbolic dimensions), Caffe input blobs (NCHW), TF.js InputLayer
   * names (layers models, NHWC) or Placeholder names (graph models, NHWC).
   * A name the model does not have is an {@link InvalidArgumentError}.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** A loaded network and what the importer had to say about it. */
export interface LoadedNetwork {
  /** The imported network, layers in runtime order. */
  readonly network: Network;
  /** Importer warnings (for example ONNX operators imported as opaque layers). */
  readonly warnings: readonly string[];
}

/**
 * The format of a model file, from its name: `.prototxt`/`.pt` → Caffe,
 * `.onnx` → ONNX, `.json` → TF.js layers model.
 */
export function guessModelFormat(path: string): ModelFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === ".prototxt" || extension === ".pt" || extension === ".pbtxt") return "caffe";
  if (extension === ".onnx") return "onnx";
  if (extension === ".json") return "tfjs";
  return undefined;
}

/**
 * Load a network from a zoo name or a file.
 *
 * @throws {@link InvalidArgumentError} when the name is neither a zoo network
 * nor a readable file of a known format; the importers' errors
 * ({@link InvalidModelError} and subclasses) name the file and layer at fault.
 * @example
 * ```ts
 * const { network } = await loadNetwork("alexnet");
 * const { network: squeeze } = await loadNetwork("models/squeezenet.prototxt");
 * ```
 */
export async function loadNetwork(nameOrPath: string, options: LoadNetworkOptions = {}): Promise<LoadedNetwork> {
  if (options.format === undefined && isZooName(nameOrPath)) {
    return { network: zooNetwork(nameOrPath), warnings: [] };
  }
  const format = options.format ?? guessModelFormat(nameOrPath);
  if (format === undefined) {
    throw new InvalidArgumentError(
      `model "${nameOrPath}" is neither a zoo network (${ZOO_NAMES.join(", ")}) nor a file ending in .prototxt, .onnx or .json; pass --format caffe|onnx|tfjs to force one`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(nameOrPath);
  } catch (error) {
    throw new InvalidArgumentError(`cannot read model file ${nameOrPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return await importModelBytes(bytes, format, nameOrPath, options.inputShapes);
  } catch (error) {
    if (error instanceof IonnError) throw error;
    throw new InvalidModelError(`${nameOrPath}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Import a model from its bytes in a given format. `source` names the file in
 * error messages (and gives the network its default name).
 */
export async function importModelBytes(
  bytes: Uint8Array,
  format: ModelFormat,
  source: string,
  inputShapes?: Readonly<Record<string, readonly number[]>>,
): Promise<LoadedNetwork> {
  switch (format) {
    case "caffe": {
      const result = importCaffePrototxtDetailed(new TextDecoder().decode(bytes), source, inputShapes ? { inputShapes } : {});
      return { network: result.network, warnings: result.warnings };
    }
    case "onnx": {
      const { importOnnx } = await import("./onnx/index.js");
      const result = importOnnx(bytes, source, inputShapes ? { inputShapes } : {});
      return { network: result.network, warnings: result.warnings };
    }
    case "tfjs": {
      const { importTfjsLayersModelDetailed } = await import("./tfjs/index.js");
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(bytes));
      } catch (error) {
        throw new InvalidModelError(`${source}: not valid JSON: ${(error as Error).message}`);
      }
      const result = importTfjsLayersModelDetailed(json, source, inputShapes ? { inputShapes } : {});
      return { network: result.network, warnings: result.warnings };
    }
  }
}

/** The file name without its directory, for labels. */
export function modelLabel(nameOrPath: string): string {
  return basename(nameOrPath);
}
