/**
 * The Caffe importer: reads a prototxt (protobuf text format of a Caffe
 * `NetParameter`) and builds Caffe's runtime layer list with shapes,
 * parameters and MACs — the networks of the IONN paper (§6, Table 1) are
 * Caffe deploy files, and the published per-layer profiles follow Caffe's
 * runtime order.
 *
 * @module
 */
import type { Network } from "../types.js";
import { networkFromCaffeNetDetailed, type CaffeImport, type CaffeImportOptions } from "./net.js";
import { parsePrototxt } from "./prototxt.js";

export { networkFromCaffeNet, networkFromCaffeNetDetailed, SUPPORTED_CAFFE_LAYER_TYPES } from "./net.js";
export type { CaffeImport, CaffeImportOptions } from "./net.js";
export { normalizeCaffeNet, parsePrototxt, parseTextFormat, V1_LAYER_TYPES } from "./prototxt.js";
export type { TextFormatEnum, TextFormatField, TextFormatMessage, TextFormatValue } from "./prototxt.js";
export type { CaffeBlobShape, CaffeLayerSpec, CaffeMessage, CaffeNetSpec, CaffeValue } from "./spec.js";

/**
 * Imports a Caffe prototxt as a runtime {@link Network}:
 * {@link parsePrototxt} then {@link networkFromCaffeNet}.
 *
 * Cost: linear in the text length and the number of layers.
 *
 * @param text - Contents of the `.prototxt` file.
 * @param source - File name or label used in error messages and as
 *   `Network.source` (default: the net's `name`).
 * @throws {@link ParseError} on malformed text (with line and column).
 * @throws {@link UnsupportedLayerError} for an unknown layer type.
 * @throws {@link InvalidModelError} for undefined bottoms, cycles, shape
 *   mismatches, duplicate names or missing required fields.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * const net = importCaffePrototxt(readFileSync("alexnet.prototxt", "utf8"), "alexnet.prototxt");
 * net.layers.length;          // 24
 * net.layers[1].outputShapes; // [[1, 96, 55, 55]]
 * ```
 */
export function importCaffePrototxt(text: string, source?: string, options: CaffeImportOptions = {}): Network {
  return importCaffePrototxtDetailed(text, source, options).network;
}

/**
 * {@link importCaffePrototxt}, also returning the importer's warnings (fields
 * it does not know inside known messages, fork fields it interprets).
 *
 * @param options - `inputShapes` by input blob name (see {@link CaffeImportOptions}).
 * @throws see {@link importCaffePrototxt}
 */
export function importCaffePrototxtDetailed(text: string, source?: string, options: CaffeImportOptions = {}): CaffeImport {
  return networkFromCaffeNetDetailed(parsePrototxt(text, source), source, options);
}
