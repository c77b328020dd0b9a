/**
 * Single-precision matrix multiply (SGEMM) on Float32Array, cache-blocked in
 * the Goto/BLIS style: B is packed into KC×NC panels, A into MC×KC blocks, and
 * a 4×4 register micro-kernel accumulates in double-precision locals. This is
 * the work-horse of the reference convolution (im2col + GEMM) that executes the
 * layers IONN offloads (IONN §4, Figure 3).
 *
 * Reference: K. Goto, R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008.
 *
 * NOTE: the packing buffers are module-level scratch space, reused between
 * calls (JavaScript is single-threaded, so this is safe); they hold no state
 * that affects results.
 *
 * @module
 */

/** Rows of the register micro-kernel. */
const MR = 4;
/** Columns of the register micro-kernel. */
const NR = 4;
/** Depth of a packed panel (rows of B kept in cache). */
const KC = 256;
/** Rows of A packed per block. */
const MC = 64;
/** Columns of B packed per panel. */
const NC = 1024;

let packedA = new Float32Array(MC * KC);
let packedB = new Float32Array(NC * KC);

/**
 * `C[M×N] += A[M×K] · B[K×N]`, all row-major, each matrix given by its array,
 * element offset and leading dimension (row stride). C must be initialised by
 * the caller (zeros for a plain product, or the bias).
 *
 * The summation order is fixed by the block sizes, so results are
 * deterministic (bit-identical from run to run) but not bit-identical to a
 * naive triple loop: partial sums are rounded to float32 once per KC-deep
 * panel (default 256).
 *
 * Cost: `M·N·K` multiply–adds, `O(KC·NC + MC·KC)` extra memory.
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
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, bOffset + pc * ldb + jc, ldb, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOffset + ic * lda + pc, lda, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, ir * kc, jr * kc, c, cOffset + (ic + ir) * ldc + jc + jr, ldc, mr, nr);
          }
        }
      }
    }
  }
}

/** Packs B[kc×nc] into NR-wide column strips: strip s holds rows 0…kc-1 of columns s·NR…s·NR+NR-1, zero-padded. */
function packB(b: Float32Array, offset: number, ldb: number, kc: number, nc: number): void {
  const strips = Math.ceil(nc / NR);
  const needed = strips * NR * kc;
  if (packedB.length < needed) packedB = new Float32Array(needed);
  const out = packedB;
  for (let s = 0; s < strips; s++) {
    const j0 = s * NR;
    const width = Math.min(NR, nc - j0);
    let o = s * NR * kc;
    if (width === NR) {
      for (let p = 0; p < kc; p++) {
        const src = offset + p * ldb + j0;
        out[o] = b[src]!;
        out[o + 1] = b[src + 1]!;
        out[o + 2] = b[src + 2]!;
        out[o + 3] = b[src + 3]!;
        o += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = offset + p * ldb + j0;
        for (let j = 0; j < NR; j++) out[o + j] = j < width ? b[src + j]! : 0;
        o += NR;
      }
    }
  }
}

/** Packs A[mc×kc] into MR-tall row strips: strip s holds, for each p, rows s·MR…s·MR+MR-1 of column p, zero-padded. */
function packA(a: Float32Array, offset: number, lda: number, mc: number, kc: number): void {
  const strips = Math.ceil(mc / MR);
  const needed = strips * MR * kc;
  if (packedA.length < needed) packedA = new Float32Array(needed);
  const out = packedA;
  for (let s = 0; s < strips; s++) {
    const i0 = s * MR;
    const height = Math.min(MR, mc - i0);
    const base = s * MR * kc;
    for (let i = 0; i < MR; i++) {
      if (i < height) {
        const src = offset + (i0 + i) * lda;
        for (let p = 0; p < kc; p++) out[base + p * MR + i] = a[src + p]!;
      } else {
        for (let p = 0; p < kc; p++) out[base + p * MR + i] = 0;
      }
    }
  }
}

/** The 4×4 register block: C[mr×nr] += Ap(strip) · Bp(strip) over kc. */
function microKernel(
  kc: number,
  aStart: number,
  bStart: number,
  c: Float32Array,
  cStart: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  const ap = packedA;
  const bp = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aStart;
  let bi = bStart;
  for (let p = 0; p < kc; p++) {
    const b0 = bp[bi]!, b1 = bp[bi + 1]!, b2 = bp[bi + 2]!, b3 = bp[bi + 3]!;
    let av = ap[ai]!;
    c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3;
    av = ap[ai + 1]!;
    c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3;
    av = ap[ai + 2]!;
    c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3;
    av = ap[ai + 3]!;
    c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3;
    ai += MR;
    bi += NR;
  }
  if (mr === MR && nr === NR) {
    let o = cStart;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03;
    o += ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13;
    o += ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23;
    o += ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
    return;
  }
  const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) c[cStart + i * ldc + j] += block[i * NR + j]!;
  }
}
