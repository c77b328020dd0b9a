/**
 * SHA-256 (FIPS 180-4) for the content digests of `src/store/`, usable in
 * the browser bundle: under Node the hash comes from `node:crypto` (reached
 * through `process.getBuiltinModule`, so no `node:` import is bundled);
 * elsewhere a small typed-array implementation of the standard runs.
 *
 * @module
 */

/** An incremental SHA-256: `update` any number of times, then `digestHex` once. */
export interface Sha256 {
  /** Feed bytes (a string is encoded as UTF-8). */
  update(data: Uint8Array | string): Sha256;
  /** The digest of everything fed, as 64 lowercase hex digits. */
  digestHex(): string;
}

interface NodeHash {
  update(data: Uint8Array | string): NodeHash;
  digest(encoding: "hex"): string;
}

const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | { createHash(algorithm: "sha256"): NodeHash }
  | undefined;

/** A new incremental SHA-256 (`node:crypto` under Node, {@link portableSha256} elsewhere). */
export function sha256(): Sha256 {
  if (nodeCrypto === undefined) return portableSha256();
  const hash = nodeCrypto.createHash("sha256");
  const api: Sha256 = {
    update(data) {
      hash.update(data);
      return api;
    },
    digestHex: () => hash.digest("hex"),
  };
  return api;
}

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2).
const K = new Uint32Array(64);
// The first 32 bits of the fractional parts of the square roots of the first 8 primes (§5.3.3).
const H0 = new Uint32Array(8);
{
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
  const frac = (x: number) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
  for (let i = 0; i < 64; i++) K[i] = frac(Math.cbrt(primes[i]!));
  for (let i = 0; i < 8; i++) H0[i] = frac(Math.sqrt(primes[i]!));
}

const encoder = new TextEncoder();

/** The pure TypeScript SHA-256 (exported for tests; {@link sha256} picks it when `node:crypto` is absent). */
export function portableSha256(): Sha256 {
  const h = Uint32Array.from(H0);
  const block = new Uint8Array(64);
  const w = new Uint32Array(64);
  let filled = 0;
  let total = 0; // bytes
  let finished = false;

  const compress = (bytes: Uint8Array, offset: number) => {
    for (let t = 0; t < 16; t++) {
      const j = offset + 4 * t;
      w[t] = ((bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!) >>> 0;
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) >>> 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K[t]! + w[t]!) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0]! + a) >>> 0; h[1] = (h[1]! + b) >>> 0; h[2] = (h[2]! + c) >>> 0; h[3] = (h[3]! + d) >>> 0;
    h[4] = (h[4]! + e) >>> 0; h[5] = (h[5]! + f) >>> 0; h[6] = (h[6]! + g) >>> 0; h[7] = (h[7]! + k) >>> 0;
  };

  const api: Sha256 = {
    update(data) {
      if (finished) throw new Error("sha256: update after digestHex");
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      total += bytes.length;
      let i = 0;
      if (filled > 0) {
        const take = Math.min(64 - filled, bytes.length);
        block.set(bytes.subarray(0, take), filled);
        filled += take;
        i = take;
        if (filled === 64) {
          compress(block, 0);
          filled = 0;
        }
      }
      for (; i + 64 <= bytes.length; i += 64) compress(bytes, i);
      if (i < bytes.length) {
        block.set(bytes.subarray(i), 0);
        filled = bytes.length - i;
      }
      return api;
    },
    digestHex() {
      if (finished) throw new Error("sha256: digestHex called twice");
      finished = true;
      const bits = total * 8;
      block[filled++] = 0x80;
      if (filled > 56) {
        block.fill(0, filled);
        compress(block, 0);
        filled = 0;
      }
      block.fill(0, filled, 56);
      const view = new DataView(block.buffer);
      view.setUint32(56, Math.floor(bits / 2 ** 32));
      view.setUint32(60, bits >>> 0);
      compress(block, 0);
      let out = "";
      for (let i = 0; i < 8; i++) out += h[i]!.toString(16).padStart(8, "0");
      return out;
    },
  };
  return api;
}
