/**
 * TF.js weights manifests: the byte layout of the weight shards, checked
 * against the shard files, and the values of small tensors (for constant
 * folding in graph models). Format: tfjs-converter's `weightsManifest`, a
 * list of groups `{ paths, weights: [{ name, shape, dtype, quantization? }] }`
 * whose weights lie back to back in the concatenation of the group's shards
 * ([Reference]: https://www.tensorflow.org/js/guide/save_load).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";

/** One weight entry of a manifest. */
export interface ManifestWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: string | undefined;
  readonly quantization?: { readonly dtype: string; readonly scale?: number | undefined; readonly min?: number | undefined } | undefined;
}

/** One group of a manifest. */
export interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly ManifestWeight[];
}

/** Bytes per element of the dtypes a shard may hold. */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2, int8: 1, int16: 2 };

/** Dtypes a manifest weight may declare. */
export const TFJS_WEIGHT_DTYPES: readonly string[] = ["float32", "int32", "bool", "complex64"];

/** Quantization dtypes a manifest weight may be stored in. */
export const TFJS_QUANTIZATION_DTYPES: readonly string[] = ["uint8", "uint16", "float16"];

/** A decoded weight: where it lies and, for small ones, its values. */
export interface DecodedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Element values (dequantized), for tensors of at most `valueLimit` elements when the shards were given. */
  readonly values?: readonly number[];
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Checks a manifest against its shards and decodes the small weights.
 *
 * @param shards the shard files' bytes by manifest path; `undefined` when the
 *   caller has no shards (then only shapes and dtypes are checked, no values)
 * @param nodeOf for messages: the graph node a weight belongs to (default: the weight name)
 * @throws {InvalidModelError} for an unknown dtype or quantization dtype, a
 *   shard the map does not hold (naming the file and the nodes whose weights
 *   it holds), or a group whose shards' total size differs from what its
 *   manifest entries need (naming the files and the first weight that does
 *   not fit)
 */
export function decodeWeights(
  manifest: readonly ManifestGroup[],
  source: string,
  shards: ReadonlyMap<string, Uint8Array> | undefined,
  valueLimit = 4096,
  nodeOf: (weight: string) => string = (w) => w,
): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  manifest.forEach((group, g) => {
    const layout: { weight: ManifestWeight; offset: number; bytes: number; stored: string }[] = [];
    let offset = 0;
    for (const weight of group.weights) {
      const dtype = weight.dtype ?? "float32";
      if (!TFJS_WEIGHT_DTYPES.includes(dtype)) {
        throw new InvalidModelError(`${source}: weightsManifest[${g}] weight "${weight.name}" (node "${nodeOf(weight.name)}") has dtype "${dtype}", which is not one of ${TFJS_WEIGHT_DTYPES.join(", ")}`);
      }
      const stored = weight.quantization?.dtype ?? dtype;
      if (weight.quantization !== undefined && !TFJS_QUANTIZATION_DTYPES.includes(stored)) {
        throw new InvalidModelError(`${source}: weightsManifest[${g}] weight "${weight.name}" (node "${nodeOf(weight.name)}") is quantized as "${stored}", which is not one of ${TFJS_QUANTIZATION_DTYPES.join(", ")}`);
      }
      const bytes = product(weight.shape) * DTYPE_BYTES[stored]!;
      layout.push({ weight, offset, bytes, stored });
      offset += bytes;
    }
    let data: Uint8Array | undefined;
    if (shards !== undefined) {
      const parts: Uint8Array[] = [];
      for (const path of group.paths) {
        const part = shards.get(path);
        if (part === undefined) {
          const nodes = group.weights.slice(0, 3).map((w) => `"${nodeOf(w.name)}"`).join(", ");
          throw new InvalidModelError(`${source}: weight shard "${path}" (weightsManifest[${g}], holding the weights of nodes ${nodes}${group.weights.length > 3 ? ", …" : ""}) is missing`);
        }
        parts.push(part);
      }
      const total = parts.reduce((s, p) => s + p.length, 0);
      if (total !== offset) {
        const firstOut = layout.find((l) => l.offset + l.bytes > total);
        const detail = firstOut !== undefined
          ? `weight "${firstOut.weight.name}" (node "${nodeOf(firstOut.weight.name)}", [${firstOut.weight.shape.join(",")}] ${firstOut.stored}) would end at byte ${firstOut.offset + firstOut.bytes}`
          : `the last weight "${layout.at(-1)?.weight.name ?? "-"}" ends at byte ${offset}, ${total - offset} bytes are left over`;
        throw new InvalidModelError(`${source}: weight shards ${group.paths.map((p) => `"${p}"`).join(", ")} (weightsManifest[${g}]) hold ${total} bytes but the manifest's ${group.weights.length} weights need ${offset}: ${detail}`);
      }
      data = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
    }
    for (const { weight, offset: start, stored } of layout) {
      const n = product(weight.shape);
      let values: number[] | undefined;
      if (data !== undefined && n <= valueLimit) {
        const view = new DataView(data.buffer, data.byteOffset + start, data.byteLength - start);
        values = [];
        const q = weight.quantization;
        for (let k = 0; k < n; k++) {
          let v: number;
          switch (stored) {
            case "float32": v = view.getFloat32(k * 4, true); break;
            case "int32": v = view.getInt32(k * 4, true); break;
            case "bool": case "uint8": v = view.getUint8(k); break;
            case "uint16": v = view.getUint16(k * 2, true); break;
            case "float16": v = float16(view.getUint16(k * 2, true)); break;
            default: v = view.getFloat32(k * 8, true); // complex64: real part
          }
          if (q !== undefined && (stored === "uint8" || stored === "uint16")) v = v * (q.scale ?? 1) + (q.min ?? 0);
          values.push(v);
        }
      }
      out.set(weight.name, { name: weight.name, shape: weight.shape, dtype: weight.dtype ?? "float32", ...(values !== undefined ? { values } : {}) });
    }
  });
  return out;
}
