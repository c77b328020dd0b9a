/**
 * Single-precision matrix multiply (SGEMM) on Float32Array, cache-blocked in
 * the Goto/BLIS style: B is packed into KC×NC panels of 8-column strips, A
 * into MC×KC blocks of 4-row strips, and a 4×8 tile kernel — WebAssembly SIMD
 * where the runtime has it, else plain JavaScript with identical float32
 * rounding — computes each block. This is the work-horse of the reference
 * convolution (im2col + GEMM) that executes the layers IONN offloads
 * (IONN §4, Figure 3).
 *
 * Reference: K. Goto, R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008.
 *
 * NOTE: the packing buffers live in one module-level heap (the WebAssembly
 * memory), reused between calls; JavaScript is single-threaded, so this is
 * safe, and the heap holds nothing that affects later results.
 *
 * @module
 */
import { javascriptTileKernel, TILE_COLS, TILE_ROWS, type TileKernel, wasmTileKernel } from "./wasm-simd.js";

/** Depth of a packed panel (rows of B kept in cache). */
const KC = 256;
/** Rows of A packed per block (a multiple of the tile's 4 rows). */
const MC = 64;
/** Columns of B packed per panel (a multiple of the tile's 8 columns). */
const NC = 512;
const A_OFFSET = 0;
const B_OFFSET = MC * KC;
const C_OFFSET = B_OFFSET + NC * KC;
const HEAP_FLOATS = C_OFFSET + MC * NC;

let kernel: TileKernel | undefined;
function tileKernel(): TileKernel {
  kernel ??= wasmTileKernel(HEAP_FLOATS) ?? javascriptTileKernel(HEAP_FLOATS);
  return kernel;
}

/**
 * Which tile kernel {@link sgemm} uses on this runtime: `"wasm-simd"` (128-bit
 * WebAssembly SIMD, Node ≥ 16) or `"javascript"`. Both round every product and
 * sum to float32 in the same order, so results are the same bits either way.
 */
export function sgemmBackend(): "wasm-simd" | "javascript" {
  return tileKernel().kind;
}

/**
 * `C[M×N] += A[M×K] · B[K×N]`, all row-major, each matrix given by its array,
 * element offset and leading dimension (row stride). C must be initialised by
 * the caller (zeros for a plain product, or the bias).
 *
 * Arithmetic is float32 (no fused multiply–add): for each KC-deep panel
 * (KC = 256) every product is accumulated in a float32 sum in order of k,
 * then the panel's sum is added to C. Results are deterministic and the same
 * bits on every runtime, but not bit-identical to a naive loop in double.
 *
 * Cost: `M·N·K` multiply–adds (about 4–8 GMAC/s with WebAssembly SIMD on one
 * core, see bench/README.md); no allocation after the first call.
 *
 * @example
 * ```ts
 * const c = new Float32Array(4);
 * sgemm(2, 2, 2, new Float32Array([1, 2, 3, 4]), 0, 2, new Float32Array([5, 6, 7, 8]), 0, 2, c, 0, 2);
 * // c = [19, 22, 43, 50]
 * ```
 */
export function sgemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  lda: number,
  b: Float32Array,
  bOffset: number,
  ldb: number,
  c: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  const tk = tileKernel();
  const heap = tk.heap;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nStrips = Math.ceil(nc / TILE_COLS);
    const blockLd = nStrips * TILE_COLS;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(heap, b, bOffset + pc * ldb + jc, ldb, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mStrips = Math.ceil(mc / TILE_ROWS);
        packA(heap, a, aOffset + ic * lda + pc, lda, mc, kc);
        tk.tiles(A_OFFSET, B_OFFSET, C_OFFSET, mStrips, nStrips, kc);
        for (let i = 0; i < mc; i++) {
          const src = C_OFFSET + i * blockLd;
          const dst = cOffset + (ic + i) * ldc + jc;
          for (let j = 0; j < nc; j++) c[dst + j] += heap[src + j]!;
        }
      }
    }
  }
}

/** Packs B[kc×nc] into 8-wide column strips at B_OFFSET: strip s holds, for each p, columns 8s…8s+7 (zero-padded). */
function packB(heap: Float32Array, b: Float32Array, offset: number, ldb: number, kc: number, nc: number): void {
  const strips = Math.ceil(nc / TILE_COLS);
  for (let s = 0; s < strips; s++) {
    const j0 = s * TILE_COLS;
    const width = Math.min(TILE_COLS, nc - j0);
    let o = B_OFFSET + s * TILE_COLS * kc;
    if (width === TILE_COLS) {
      for (let p = 0; p < kc; p++) {
        const src = offset + p * ldb + j0;
        heap[o] = b[src]!;
        heap[o + 1] = b[src + 1]!;
        heap[o + 2] = b[src + 2]!;
        heap[o + 3] = b[src + 3]!;
        heap[o + 4] = b[src + 4]!;
        heap[o + 5] = b[src + 5]!;
        heap[o + 6] = b[src + 6]!;
        heap[o + 7] = b[src + 7]!;
        o += TILE_COLS;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = offset + p * ldb + j0;
        for (let j = 0; j < TILE_COLS; j++) heap[o + j] = j < width ? b[src + j]! : 0;
        o += TILE_COLS;
      }
    }
  }
}

/** Packs A[mc×kc] into 4-tall row strips at A_OFFSET: strip s holds, for each p, rows 4s…4s+3 of column p (zero-padded). */
function packA(heap: Float32Array, a: Float32Array, offset: number, lda: number, mc: number, kc: number): void {
  const strips = Math.ceil(mc / TILE_ROWS);
  for (let s = 0; s < strips; s++) {
    const i0 = s * TILE_ROWS;
    const height = Math.min(TILE_ROWS, mc - i0);
    const base = A_OFFSET + s * TILE_ROWS * kc;
    for (let i = 0; i < TILE_ROWS; i++) {
      if (i < height) {
        const src = offset + (i0 + i) * lda;
        for (let p = 0; p < kc; p++) heap[base + p * TILE_ROWS + i] = a[src + p]!;
      } else {
        for (let p = 0; p < kc; p++) heap[base + p * TILE_ROWS + i] = 0;
      }
    }
  }
}
