/**
 * The layer record: the bytes a layer's digest is computed over and the
 * value a {@link PartitionStore} files under that digest.
 *
 * ```
 * offset size  field
 *  0     4     magic "ILR1"
 *  4     4     definition length D, u32 little-endian
 *  8     D     the layer definition as canonical JSON (keys sorted, UTF-8)
 *  8+D   0–3   spaces, so the weights start 4-aligned
 *  …           the weights: float32 little-endian, the blobs one after the
 *              other in paramShapes order (their sizes come from the
 *              definition's paramShapes)
 * ```
 *
 * digest = sha256(record), lowercase hex. Because the definition is inside
 * the record, two layers with the same weights but another shape, type,
 * position or name have different digests.
 *
 * @module
 */
import { LITTLE_ENDIAN_HOST } from "../platform/index.js";
import { sha256 } from "../platform/sha256.js";
import type { Digest } from "./errors.js";
import { StoreIntegrityError } from "./errors.js";

const MAGIC = Uint8Array.of(0x49, 0x4c, 0x52, 0x31); // "ILR1"
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** True for a lowercase-hex sha256 digest (64 characters). */
export function isDigest(value: unknown): value is Digest {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}

/**
 * JSON with object keys sorted at every level (arrays keep their order), so
 * the same definition always gives the same bytes. `undefined` members are
 * dropped as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function weightBytes(blob: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Uint8Array(blob.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < blob.length; i++) view.setFloat32(i * 4, blob[i]!, true);
  return out;
}

function head(definition: unknown): Uint8Array {
  const json = encoder.encode(canonicalJson(definition));
  const padded = (json.length + 3) & ~3;
  const out = new Uint8Array(8 + padded);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length);
  return out;
}

/**
 * The digest of a layer: sha256 over its record (definition + weights),
 * computed without building the record. `definition` is the JSON form of the
 * layer (the runtime passes `layerToJson(layer)`).
 */
export function layerDigest(definition: unknown, weights: readonly Float32Array[]): Digest {
  const hash = sha256().update(head(definition));
  for (const blob of weights) hash.update(weightBytes(blob));
  return hash.digestHex();
}

/** The record of a layer (see the module comment). Copies the weights once. */
export function encodeLayerRecord(definition: unknown, weights: readonly Float32Array[]): Uint8Array {
  const prefix = head(definition);
  let total = prefix.length;
  for (const blob of weights) total += blob.length * 4;
  const out = new Uint8Array(total);
  out.set(prefix, 0);
  let offset = prefix.length;
  for (const blob of weights) {
    out.set(weightBytes(blob), offset);
    offset += blob.length * 4;
  }
  return out;
}

/** sha256 of some bytes, lowercase hex. */
export function digestOf(bytes: Uint8Array): Digest {
  return sha256().update(bytes).digestHex();
}

/** A decoded layer record. */
export interface LayerRecord {
  /** The definition as parsed JSON (validate it before use). */
  readonly definition: unknown;
  /** The canonical JSON text of the definition, as stored. */
  readonly definitionJson: string;
  /** The weight blobs in paramShapes order (views into the record on little-endian hosts). */
  readonly weights: Float32Array[];
}

/**
 * Decode a record, checking its structure: magic, definition length, JSON,
 * `paramShapes` present, weight bytes exactly what the shapes say. With
 * `digest`, also checks that sha256(record) equals it.
 *
 * @throws {StoreIntegrityError} naming what is wrong.
 */
export function decodeLayerRecord(record: Uint8Array, digest?: Digest): LayerRecord {
  const label = digest === undefined ? "layer record" : `layer record ${digest.slice(0, 12)}…`;
  const bad = (why: string) => new StoreIntegrityError(digest ?? "", `${label}: ${why}`);
  if (digest !== undefined && digestOf(record) !== digest) throw bad(`its ${record.length} bytes do not hash to the digest`);
  if (record.length < 8 || MAGIC.some((b, i) => record[i] !== b)) throw bad(`bad magic (expected "ILR1") or truncated head`);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const length = view.getUint32(4, true);
  const padded = (length + 3) & ~3;
  if (8 + padded > record.length) throw bad(`definition length ${length} exceeds the record (${record.length} bytes)`);
  let definitionJson: string;
  let definition: unknown;
  try {
    definitionJson = decoder.decode(record.subarray(8, 8 + length));
    definition = JSON.parse(definitionJson);
  } catch {
    throw bad(`definition is not valid UTF-8 JSON`);
  }
  const shapes = (definition as { paramShapes?: unknown } | null)?.paramShapes;
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0))) {
    throw bad(`definition has no valid paramShapes`);
  }
  const sizes = (shapes as number[][]).map((s) => s.reduce((a, b) => a * b, 1));
  const expected = sizes.reduce((a, b) => a + b, 0) * 4;
  let offset = 8 + padded;
  if (record.length - offset !== expected) throw bad(`${record.length - offset} weight bytes, paramShapes say ${expected}`);
  const aligned = ((record.byteOffset + offset) & 3) === 0;
  const weights = sizes.map((n) => {
    let blob: Float32Array;
    if (LITTLE_ENDIAN_HOST && aligned) blob = new Float32Array(record.buffer, record.byteOffset + offset, n);
    else {
      blob = new Float32Array(n);
      for (let i = 0; i < n; i++) blob[i] = view.getFloat32(offset + i * 4, true);
    }
    offset += n * 4;
    return blob;
  });
  return { definition, definitionJson, weights };
}

