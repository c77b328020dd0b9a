/**
 * Client-side checks of a server's results (issue 12): the client never uses
 * a server answer it has not checked. Structural checks (every wanted tensor
 * there, nothing else, declared shape and size) are exact; value checks flag
 * what a broken or tampering server typically sends (NaN, ±Infinity, a tensor
 * of zeros) as suspicious, to be recomputed locally and compared.
 *
 * @module
 */
import type { Network } from "../model/types.js";
import type { Tensor } from "./types.js";

/** The outcome of {@link verifyResult}. */
export type Verdict =
  | {
      /** Nothing wrong found. */
      readonly kind: "ok";
    }
  | {
      /** A wanted tensor is missing, extra, or of the wrong shape or size: do not use the result. */
      readonly kind: "invalid";
      /** What is wrong, naming the tensor. */
      readonly reason: string;
    }
  | {
      /** Structurally right, but values a broken or tampering server sends (NaN, ±Infinity, all zeros): recompute and compare. */
      readonly kind: "suspicious";
      /** What looks wrong, naming the tensor. */
      readonly reason: string;
    };

/**
 * Check a server result for the wanted `keys` ("layer:top") against the
 * network's declared shapes. Cost O(elements).
 *
 * @example
 * ```ts
 * const verdict = verifyResult(network, ["7:0"], result);
 * if (verdict.kind !== "ok") console.log(verdict.reason);
 * ```
 */
export function verifyResult(network: Network, keys: readonly string[], result: ReadonlyMap<string, Tensor>): Verdict {
  if (result.size !== keys.length) return { kind: "invalid", reason: `the server returned ${result.size} tensors for ${keys.length} wanted` };
  let suspicious: string | undefined;
  for (const key of keys) {
    const tensor = result.get(key);
    if (tensor === undefined) return { kind: "invalid", reason: `the server did not return tensor ${key}` };
    const colon = key.indexOf(":");
    const declared = network.layers[Number(key.slice(0, colon))]?.outputShapes[Number(key.slice(colon + 1))];
    if (declared === undefined) return { kind: "invalid", reason: `tensor ${key} is not an output of the network` };
    const size = declared.reduce((a, b) => a * b, 1);
    if (tensor.shape.length !== declared.length || tensor.shape.some((d, i) => d !== declared[i]) || tensor.data.length !== size) {
      return { kind: "invalid", reason: `tensor ${key} has shape [${tensor.shape.join(", ")}] and ${tensor.data.length} values, the network declares [${declared.join(", ")}]` };
    }
    if (suspicious !== undefined) continue;
    const data = tensor.data;
    let zeros = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === 0) zeros++;
      else if (!Number.isFinite(v)) {
        suspicious = `tensor ${key} holds ${Number.isNaN(v) ? "NaN" : "an infinity"}`;
        break;
      }
    }
    if (suspicious === undefined && data.length > 0 && zeros === data.length) suspicious = `tensor ${key} is all zeros`;
  }
  return suspicious === undefined ? { kind: "ok" } : { kind: "suspicious", reason: suspicious };
}

/**
 * Whether two results agree on `keys`: bit for bit when `tolerance` is 0,
 * else within `tolerance · max(1, |b|)` per element (NaN equals NaN).
 * Cost O(elements).
 */
export function sameTensors(keys: readonly string[], a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>, tolerance = 0): boolean {
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === undefined || y === undefined || x.data.length !== y.data.length) return false;
    if (tolerance === 0) {
      const xb = new Uint32Array(x.data.buffer, x.data.byteOffset, x.data.length);
      const yb = new Uint32Array(y.data.buffer, y.data.byteOffset, y.data.length);
      for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return false;
    } else {
      for (let i = 0; i < x.data.length; i++) {
        const u = x.data[i]!;
        const v = y.data[i]!;
        if (Number.isNaN(u) && Number.isNaN(v)) continue;
        if (!(Math.abs(u - v) <= tolerance * Math.max(1, Math.abs(v)))) return false;
      }
    }
  }
  return true;
}
