/**
 * A WebAssembly SIMD (128-bit) micro-kernel for the blocked SGEMM, assembled
 * here byte by byte (no toolchain, no dependency): for packed strips of A (4
 * rows) and B (8 columns) it computes every 4×8 tile of a block of C with
 * float32 `f32x4.mul` and `f32x4.add` (no fused multiply-add), storing the
 * block into its linear memory. A plain-JavaScript kernel with the same
 * float32 operations in the same order gives bit-identical results where
 * WebAssembly SIMD is unavailable. Part of the reference convolution that
 * executes offloaded layers (IONN §4).
 *
 * Reference: WebAssembly Core Specification 2.0, §5 (binary format) and the
 * fixed-width SIMD proposal's opcode table.
 *
 * @module
 * @internal
 */

/** Rows of a tile. */
export const TILE_ROWS = 4;
/** Columns of a tile. */
export const TILE_COLS = 8;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, end: 0x0b, brIf: 0x0d, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  f32Load: 0x2a, i32Const: 0x41, f32Const: 0x43,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32LtU: 0x49, i32Ne: 0x47,
} as const;
const simd = (code: number): number[] => [0xfd, ...uleb(code)];
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const F32X4_SPLAT = 0x13;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;

/**
 * Builds the module: memory export `memory` (initial `pages` pages) and
 * function export `tiles(aOff, bOff, cOff, mStrips, nStrips, kc)` (byte
 * offsets). Packed A strip s holds, for p = 0…kc−1, 4 floats (rows); packed B
 * strip t holds, for each p, 8 floats (columns). Tile (s, t) goes to C at row
 * 4s, column 8t, row stride `nStrips·8` floats.
 */
function buildModule(pages: number): Uint8Array {
  // params: 0 aOff, 1 bOff, 2 cOff, 3 mStrips, 4 nStrips, 5 kc
  // i32 locals: 6 js, 7 is, 8 p, 9 aPtr, 10 bPtr, 11 cPtr, 12 ldc
  // v128 locals: 13..20 acc0..acc7, 21 b0, 22 b1, 23 a
  const [aOff, bOff, cOff, mStrips, nStrips, kc] = [0, 1, 2, 3, 4, 5];
  const [js, is, p, aPtr, bPtr, cPtr, ldc] = [6, 7, 8, 9, 10, 11, 12];
  const acc = (i: number): number => 13 + i;
  const [b0, b1, a] = [21, 22, 23];
  const get = (l: number): number[] => [op.localGet, ...uleb(l)];
  const set = (l: number): number[] => [op.localSet, ...uleb(l)];
  const i32 = (v: number): number[] => [op.i32Const, ...sleb(v)];
  const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const part of parts) code.push(...part);
  };
  // ldc = nStrips * 32 bytes; js = 0
  emit(get(nStrips), i32(TILE_COLS * 4), [op.i32Mul], set(ldc), i32(0), set(js));
  emit([op.block, op.void, op.loop, op.void]); // $J
  emit(i32(0), set(is));
  emit([op.block, op.void, op.loop, op.void]); // $I
  // zero accumulators: f32x4.splat(0.0)
  for (let i = 0; i < 8; i++) emit([op.f32Const, 0, 0, 0, 0], simd(F32X4_SPLAT), set(acc(i)));
  // aPtr = aOff + is * kc * 16; bPtr = bOff + js * kc * 32; p = kc
  emit(get(aOff), get(is), get(kc), [op.i32Mul], i32(TILE_ROWS * 4), [op.i32Mul], [op.i32Add], set(aPtr));
  emit(get(bOff), get(js), get(kc), [op.i32Mul], i32(TILE_COLS * 4), [op.i32Mul], [op.i32Add], set(bPtr));
  emit(get(kc), set(p));
  emit([op.loop, op.void]); // $P
  emit(get(bPtr), simd(V128_LOAD), memarg(4, 0), set(b0));
  emit(get(bPtr), simd(V128_LOAD), memarg(4, 16), set(b1));
  for (let r = 0; r < TILE_ROWS; r++) {
    emit(get(aPtr), [op.f32Load], memarg(2, r * 4), simd(F32X4_SPLAT), set(a));
    emit(get(acc(2 * r)), get(a), get(b0), simd(F32X4_MUL), simd(F32X4_ADD), set(acc(2 * r)));
    emit(get(acc(2 * r + 1)), get(a), get(b1), simd(F32X4_MUL), simd(F32X4_ADD), set(acc(2 * r + 1)));
  }
  emit(get(aPtr), i32(TILE_ROWS * 4), [op.i32Add], set(aPtr));
  emit(get(bPtr), i32(TILE_COLS * 4), [op.i32Add], set(bPtr));
  emit(get(p), i32(1), [op.i32Sub], [op.localTee, ...uleb(p)], i32(0), [op.i32Ne], [op.brIf, 0]);
  emit([op.end]); // $P
  // cPtr = cOff + is * 4 * ldc + js * 32
  emit(get(cOff), get(is), i32(TILE_ROWS), [op.i32Mul], get(ldc), [op.i32Mul], [op.i32Add]);
  emit(get(js), i32(TILE_COLS * 4), [op.i32Mul], [op.i32Add], set(cPtr));
  for (let r = 0; r < TILE_ROWS; r++) {
    emit(get(cPtr), get(acc(2 * r)), simd(V128_STORE), memarg(4, 0));
    emit(get(cPtr), get(acc(2 * r + 1)), simd(V128_STORE), memarg(4, 16));
    if (r < TILE_ROWS - 1) emit(get(cPtr), get(ldc), [op.i32Add], set(cPtr));
  }
  // is += 1; br_if $I (is < mStrips)
  emit(get(is), i32(1), [op.i32Add], [op.localTee, ...uleb(is)], get(mStrips), [op.i32LtU], [op.brIf, 0]);
  emit([op.end, op.end]); // $I loop, block
  emit(get(js), i32(1), [op.i32Add], [op.localTee, ...uleb(js)], get(nStrips), [op.i32LtU], [op.brIf, 0]);
  emit([op.end, op.end]); // $J loop, block
  emit([op.end]); // function
  const locals = vector([
    [...uleb(7), I32],
    [...uleb(11), V128],
  ]);
  const body = [...locals, ...code];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00]])),
    ...section(3, vector([[0x00]])),
    ...section(5, vector([[0x00, ...uleb(pages)]])),
    ...section(7, vector([
      [...uleb(6), ..."memory".split("").map((ch) => ch.charCodeAt(0)), 0x02, 0x00],
      [...uleb(5), ..."tiles".split("").map((ch) => ch.charCodeAt(0)), 0x00, 0x00],
    ])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}

/** The tile routine: computes all tiles of a packed block into C (see {@link buildModule}). */
export interface TileKernel {
  /** The memory that holds packed A, packed B and the C block. */
  readonly heap: Float32Array;
  /** Runs the tiles; offsets are in floats. */
  tiles(aOff: number, bOff: number, cOff: number, mStrips: number, nStrips: number, kc: number): void;
  /** `"wasm-simd"` or `"javascript"`. */
  readonly kind: "wasm-simd" | "javascript";
}

/**
 * The WebAssembly SIMD tile kernel over a heap of at least `floats` floats,
 * or undefined when this runtime cannot compile it.
 */
export function wasmTileKernel(floats: number): TileKernel | undefined {
  const wasm = (globalThis as { WebAssembly?: MinimalWebAssembly }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    const pages = Math.ceil((floats * 4) / 65536);
    const instance = new wasm.Instance(new wasm.Module(buildModule(pages)), {});
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    const tiles = instance.exports.tiles as (a: number, b: number, c: number, m: number, n: number, k: number) => void;
    const heap = new Float32Array(memory.buffer, 0, floats);
    return {
      heap,
      kind: "wasm-simd",
      tiles: (aOff, bOff, cOff, m, n, k) => tiles(aOff * 4, bOff * 4, cOff * 4, m, n, k),
    };
  } catch {
    return undefined;
  }
}

/** The part of the WebAssembly JS API used here (the project's `lib` has no DOM/WebAssembly typings). */
interface MinimalWebAssembly {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * The same tile routine in JavaScript, with every product and sum rounded to
 * float32 in the WebAssembly kernel's order, so both give the same bits.
 */
export function javascriptTileKernel(floats: number): TileKernel {
  const heap = new Float32Array(floats);
  const f = Math.fround;
  return {
    heap,
    kind: "javascript",
    tiles(aOff, bOff, cOff, mStrips, nStrips, kc) {
      const ldc = nStrips * TILE_COLS;
      const acc = new Float32Array(TILE_ROWS * TILE_COLS);
      for (let t = 0; t < nStrips; t++) {
        for (let s = 0; s < mStrips; s++) {
          acc.fill(0);
          let ai = aOff + s * kc * TILE_ROWS;
          let bi = bOff + t * kc * TILE_COLS;
          for (let p = 0; p < kc; p++) {
            for (let r = 0; r < TILE_ROWS; r++) {
              const av = heap[ai + r]!;
              for (let c = 0; c < TILE_COLS; c++) acc[r * TILE_COLS + c] = f(acc[r * TILE_COLS + c]! + f(av * heap[bi + c]!));
            }
            ai += TILE_ROWS;
            bi += TILE_COLS;
          }
          for (let r = 0; r < TILE_ROWS; r++) {
            heap.set(acc.subarray(r * TILE_COLS, (r + 1) * TILE_COLS), cOff + (s * TILE_ROWS + r) * ldc + t * TILE_COLS);
          }
        }
      }
    },
  };
}
