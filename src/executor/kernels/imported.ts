/**
 * Kernels for the layer types that come from Caffe forks and TF.js graph
 * models (issue 14): padding (constant, per axis), Identity, Resize
 * (nearest / bilinear, TensorFlow's and Caffe's coordinate rules, also the
 * forks' `Upsample` with a scale), SegNet-style max unpooling, Axpy
 * (SENet: `a·x + y` with a per-channel `a`), the forks' `BN` (per-channel
 * scale and shift), ShuffleChannel (ShuffleNet) and Permute (SSD). All on
 * NCHW float32 tensors, part of the reference executor (IONN §4).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { dimProduct, formatShape } from "./util.js";

/** Pad parameters: `pads` = begins of every axis, then ends (ONNX order); `value` fills. */
export interface PadParams {
  readonly pads: readonly number[];
  readonly value?: number;
}

/** Output shape of {@link pad}. @throws {@link InvalidModelError} when `pads` does not have 2 entries per axis or a size becomes < 1. */
export function padOutputShape(input: Shape, params: PadParams): Shape {
  const rank = input.length;
  if (params.pads.length !== 2 * rank) throw new InvalidModelError(`Pad: ${params.pads.length} pads for a rank-${rank} input ${formatShape(input)}`);
  const out = input.map((d, i) => d + params.pads[i]! + params.pads[i + rank]!);
  if (out.some((d) => d < 1)) throw new InvalidModelError(`Pad: output ${formatShape(out)} is empty`);
  return out;
}

/**
 * Constant padding (negative pads crop). Cost: one pass over the output.
 *
 * @example pad({ shape: [1, 1, 2, 2], data }, { pads: [0, 0, 1, 1, 0, 0, 1, 1] }) // → [1, 1, 4, 4]
 */
export function pad(input: Tensor, params: PadParams): Tensor {
  const outShape = padOutputShape(input.shape, params);
  const rank = outShape.length;
  const out = new Float32Array(dimProduct(outShape)).fill(params.value ?? 0);
  const inStrides = strides(input.shape);
  const outStrides = strides(outShape);
  const n = input.data.length;
  const coordinate = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let rest = k;
    let target = 0;
    let inside = true;
    for (let i = 0; i < rank; i++) {
      coordinate[i] = Math.floor(rest / inStrides[i]!);
      rest -= coordinate[i]! * inStrides[i]!;
      const o = coordinate[i]! + params.pads[i]!;
      if (o < 0 || o >= outShape[i]!) {
        inside = false;
        break;
      }
      target += o * outStrides[i]!;
    }
    if (inside) out[target] = input.data[k]!;
  }
  return { shape: outShape, data: out };
}

function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Resize parameters: output size (or an integer `scale`), interpolation and coordinate rule. */
export interface ResizeParams {
  readonly mode: "nearest" | "bilinear";
  /** Output height (default `scale` × input height). */
  readonly height?: number;
  /** Output width (default `scale` × input width). */
  readonly width?: number;
  /** Integer factor for both axes (Caffe forks' `upsample_param.scale`). */
  readonly scale?: number;
  /** TensorFlow `align_corners` (default false). */
  readonly alignCorners?: boolean;
  /** TensorFlow `half_pixel_centers` (default false). */
  readonly halfPixelCenters?: boolean;
}

/** Output shape `[N, C, H', W']` of {@link resize}. @throws {@link InvalidModelError} for a non-NCHW input or no size. */
export function resizeOutputShape(input: Shape, params: ResizeParams): Shape {
  if (input.length !== 4) throw new InvalidModelError(`Resize: expected an NCHW input, got ${formatShape(input)}`);
  const h = params.height ?? (params.scale !== undefined ? input[2]! * params.scale : undefined);
  const w = params.width ?? (params.scale !== undefined ? input[3]! * params.scale : undefined);
  if (h === undefined || w === undefined || !(h >= 1 && w >= 1)) throw new InvalidModelError(`Resize: no output size (height/width or scale) for ${formatShape(input)}`);
  return [input[0]!, input[1]!, h, w];
}

/**
 * Nearest or bilinear resize with TensorFlow's source-coordinate rules
 * (`align_corners`, `half_pixel_centers`); the default (both false) is also
 * the forks' nearest `Upsample` (output pixel `(y, x)` reads `(⌊y/s⌋, ⌊x/s⌋)`).
 * Cost: one pass over the output (4 reads per pixel when bilinear).
 */
export function resize(input: Tensor, params: ResizeParams): Tensor {
  const outShape = resizeOutputShape(input.shape, params);
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const [, , ho, wo] = outShape as [number, number, number, number];
  const align = params.alignCorners === true;
  const half = params.halfPixelCenters === true;
  const scaleH = align && ho > 1 ? (h - 1) / (ho - 1) : h / ho;
  const scaleW = align && wo > 1 ? (w - 1) / (wo - 1) : w / wo;
  const out = new Float32Array(n * c * ho * wo);
  const src = input.data;
  for (let plane = 0; plane < n * c; plane++) {
    const inBase = plane * h * w;
    const outBase = plane * ho * wo;
    for (let y = 0; y < ho; y++) {
      const sy = half ? (y + 0.5) * scaleH - 0.5 : y * scaleH;
      for (let x = 0; x < wo; x++) {
        const sx = half ? (x + 0.5) * scaleW - 0.5 : x * scaleW;
        let v: number;
        if (params.mode === "nearest") {
          const yy = Math.min(h - 1, Math.max(0, align ? Math.round(sy) : half ? Math.floor(sy + 0.5) : Math.floor(sy)));
          const xx = Math.min(w - 1, Math.max(0, align ? Math.round(sx) : half ? Math.floor(sx + 0.5) : Math.floor(sx)));
          v = src[inBase + yy * w + xx]!;
        } else {
          const fy = Math.max(0, sy);
          const fx = Math.max(0, sx);
          const y0 = Math.min(h - 1, Math.floor(fy));
          const x0 = Math.min(w - 1, Math.floor(fx));
          const y1 = Math.min(h - 1, y0 + 1);
          const x1 = Math.min(w - 1, x0 + 1);
          const dy = fy - y0;
          const dx = fx - x0;
          const top = src[inBase + y0 * w + x0]! + (src[inBase + y0 * w + x1]! - src[inBase + y0 * w + x0]!) * dx;
          const bottom = src[inBase + y1 * w + x0]! + (src[inBase + y1 * w + x1]! - src[inBase + y1 * w + x0]!) * dx;
          v = top + (bottom - top) * dy;
        }
        out[outBase + y * wo + x] = v;
      }
    }
  }
  return { shape: outShape, data: out };
}

/**
 * SegNet's `Upsample` with a mask: max unpooling. Each value of `input`
 * goes to the position its `mask` entry (a flat index within the output
 * plane, as Caffe's max pooling writes it) names; the rest is 0.
 *
 * @throws {@link InvalidModelError} when the mask's shape differs or an index is outside the plane.
 */
export function unpool(input: Tensor, mask: Tensor, outH: number, outW: number): Tensor {
  const [n, c, h, w] = input.shape as [number, number, number, number];
  if (mask.data.length !== input.data.length) throw new InvalidModelError(`Upsample: mask ${formatShape(mask.shape)} does not match ${formatShape(input.shape)}`);
  const plane = outH * outW;
  const out = new Float32Array(n * c * plane);
  for (let p = 0; p < n * c; p++) {
    for (let k = 0; k < h * w; k++) {
      const index = mask.data[p * h * w + k]!;
      if (!(index >= 0 && index < plane)) throw new InvalidModelError(`Upsample: mask index ${index} is outside the ${outH}x${outW} output plane`);
      out[p * plane + index] = input.data[p * h * w + k]!;
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}

/**
 * Axpy (SENet forks): `a·x + y`, `a` of shape `[N, C]` or `[N, C, 1, 1]`
 * scaling each channel of `x`; `x` and `y` of the same shape.
 *
 * @throws {@link InvalidModelError} on mismatched shapes.
 */
export function axpy(a: Tensor, x: Tensor, y: Tensor): Tensor {
  if (x.data.length !== y.data.length || x.shape.length < 2) throw new InvalidModelError(`Axpy: x ${formatShape(x.shape)} and y ${formatShape(y.shape)} must have the same shape`);
  const [n, c] = x.shape as [number, number];
  if (a.data.length !== n * c) throw new InvalidModelError(`Axpy: a ${formatShape(a.shape)} must have N·C = ${n * c} values`);
  const inner = x.data.length / (n * c);
  const out = new Float32Array(x.data.length);
  for (let p = 0; p < n * c; p++) {
    const s = a.data[p]!;
    const base = p * inner;
    for (let k = 0; k < inner; k++) out[base + k] = s * x.data[base + k]! + y.data[base + k]!;
  }
  return { shape: [...x.shape], data: out };
}

/** The forks' `BN` layer at inference: `x·scale[c] + shift[c]` (blobs `[1, C, 1, 1]` each). */
export function forkBatchNorm(x: Tensor, scaleBlob: Float32Array, shiftBlob: Float32Array): Tensor {
  const c = x.shape[1] ?? 1;
  if (scaleBlob.length !== c || shiftBlob.length !== c) throw new InvalidModelError(`BN: scale/shift have ${scaleBlob.length}/${shiftBlob.length} values, expected ${c}`);
  const inner = dimProduct(x.shape, 2);
  const out = new Float32Array(x.data.length);
  const batch = x.shape[0] ?? 1;
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * inner;
      const s = scaleBlob[ch]!;
      const t = shiftBlob[ch]!;
      for (let k = 0; k < inner; k++) out[base + k] = x.data[base + k]! * s + t;
    }
  }
  return { shape: [...x.shape], data: out };
}

/**
 * ShuffleChannel (ShuffleNet): channels viewed as `[group, C/group]` and
 * transposed, so output channel `j·group + i` is input channel `i·(C/group) + j`.
 *
 * @throws {@link InvalidModelError} when `group` does not divide the channels.
 */
export function shuffleChannel(x: Tensor, group: number): Tensor {
  const [n, c] = x.shape as [number, number];
  if (!(group >= 1) || c % group !== 0) throw new InvalidModelError(`ShuffleChannel: group ${group} does not divide ${c} channels`);
  const per = c / group;
  const inner = dimProduct(x.shape, 2);
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < group; i++) {
      for (let j = 0; j < per; j++) {
        const from = (b * c + i * per + j) * inner;
        const to = (b * c + j * group + i) * inner;
        out.set(x.data.subarray(from, from + inner), to);
      }
    }
  }
  return { shape: [...x.shape], data: out };
}

/** Output shape of {@link permute}. @throws {@link InvalidModelError} for an order that is not a permutation of the axes. */
export function permuteOutputShape(input: Shape, order: readonly number[]): Shape {
  const full = completeOrder(order, input.length);
  return full.map((a) => input[a]!);
}

function completeOrder(order: readonly number[], rank: number): number[] {
  const full = [...order];
  for (let a = 0; a < rank; a++) if (!full.includes(a)) full.push(a);
  if (full.length !== rank || new Set(full).size !== rank || full.some((a) => a < 0 || a >= rank)) throw new InvalidModelError(`Permute: order [${order.join(",")}] is not a permutation of ${rank} axes`);
  return full;
}

/** Permute (SSD; Transpose): output axis `i` is input axis `order[i]` (missing axes keep their order, as Caffe's). */
export function permute(x: Tensor, order: readonly number[]): Tensor {
  const full = completeOrder(order, x.shape.length);
  const outShape = full.map((a) => x.shape[a]!);
  const inStrides = strides(x.shape);
  const outStrides = strides(outShape);
  const out = new Float32Array(x.data.length);
  const rank = outShape.length;
  for (let k = 0; k < out.length; k++) {
    let rest = k;
    let source = 0;
    for (let i = 0; i < rank; i++) {
      const coordinate = Math.floor(rest / outStrides[i]!);
      rest -= coordinate * outStrides[i]!;
      source += coordinate * inStrides[full[i]!]!;
    }
    out[k] = x.data[source]!;
  }
  return { shape: outShape, data: out };
}

/**
 * The mask top of Caffe's max pooling: for each output, the flat index
 * (`h·W + w`) within its input plane of the window's first maximum, as
 * float32 (what SegNet's `Upsample` reads). Windows as Caffe's: start
 * `o·stride − pad`, clipped to the input.
 */
export function maxPoolMask(input: Tensor, outH: number, outW: number, kernelH: number, kernelW: number, strideH: number, strideW: number, padH: number, padW: number): Tensor {
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const out = new Float32Array(n * c * outH * outW);
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.max(oy * strideH - padH, 0);
      const y1 = Math.min(oy * strideH - padH + kernelH, h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.max(ox * strideW - padW, 0);
        const x1 = Math.min(ox * strideW - padW + kernelW, w);
        let best = -Infinity;
        let index = -1;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const v = input.data[base + y * w + x]!;
            if (v > best || index < 0) {
              best = v;
              index = y * w + x;
            }
          }
        }
        out[(p * outH + oy) * outW + ox] = index;
      }
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}
