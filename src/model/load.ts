/**
 * One entry point to get a {@link Network} from what a user types: a zoo
 * name (`alexnet`) or a model file, recognised by its extension or by an
 * explicit format.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { IonnError, InvalidArgumentError, InvalidModelError } from "../errors.js";
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
 * `.onnx` → ONNX, `.json` → TF.js (layers or graph model, told apart by the content).
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
  const directory = dirname(nameOrPath);
  const readShard = async (path: string): Promise<Uint8Array | undefined> => {
    try {
      return new Uint8Array(await readFile(join(directory, path)));
    } catch {
      return undefined;
    }
  };
  try {
    return await importModelBytes(bytes, format, nameOrPath, options.inputShapes, { readShard });
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
  files: ModelFiles = {},
): Promise<LoadedNetwork> {
  switch (format) {
    case "caffe": {
      // loaded when a prototxt is read (a zoo name needs no parser: `ionn plan alexnet` starts faster)
      const { importCaffePrototxtDetailed } = await import("./caffe/index.js");
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
      if (isGraphModelJson(json)) {
        const { importTfjsGraphModel } = await import("./tfjs/graph.js");
        const shards = await readShards(json, files.readShard);
        const result = importTfjsGraphModel(json, source, { ...(shards !== undefined ? { shards } : {}), ...(inputShapes ? { inputShapes } : {}) });
        return { network: result.network, warnings: result.warnings };
      }
      const result = importTfjsLayersModelDetailed(json, source, inputShapes ? { inputShapes } : {});
      return { network: result.network, warnings: result.warnings };
    }
  }
}

/** Companion files of a model (the weight shards of a TF.js graph model). */
export interface ModelFiles {
  /**
   * Reads a file named in the model (a `weightsManifest` path, relative to
   * the model.json); `undefined` when it does not exist. Without it, graph
   * models import without weight values (with a warning).
   */
  readonly readShard?: (path: string) => Promise<Uint8Array | undefined>;
}

/** A TF.js graph model: `format: "graph-model"` or a GraphDef under `modelTopology.node`. */
function isGraphModelJson(json: unknown): json is { weightsManifest?: { paths?: unknown }[] } {
  if (typeof json !== "object" || json === null) return false;
  const record = json as { format?: unknown; modelTopology?: { node?: unknown } };
  return record.format === "graph-model" || Array.isArray(record.modelTopology?.node);
}

/** The shards of every manifest group that exist (missing ones are left out: the importer names them). */
async function readShards(json: { weightsManifest?: { paths?: unknown }[] }, readShard: ModelFiles["readShard"]): Promise<Map<string, Uint8Array> | undefined> {
  if (readShard === undefined || !Array.isArray(json.weightsManifest)) return undefined;
  const shards = new Map<string, Uint8Array>();
  for (const group of json.weightsManifest) {
    for (const path of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof path !== "string" || shards.has(path)) continue;
      const bytes = await readShard(path);
      if (bytes !== undefined) shards.set(path, bytes);
    }
  }
  return shards;
}

/** The file name without its directory, for labels. */
export function modelLabel(nameOrPath: string): string {
  return basename(nameOrPath);
}
