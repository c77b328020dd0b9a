/**
 * Caffe's element-wise neuron layers beyond ReLU, float32: Sigmoid, TanH,
 * AbsVal, BNLL, Power, Exp, Log, Clip, Swish, Threshold, ELU and PReLU. Each
 * follows the formula and the order of float32 roundings of Caffe's
 * `*Layer::Forward_cpu`, so that a network imported from a prototxt computes
 * what Caffe computes. Part of the reference executor that runs offloaded
 * layers (IONN §4, Figure 3).
 *
 * Reference: BVLC Caffe `src/caffe/layers/{sigmoid,tanh,absval,bnll,power,
 * exp,log,clip,swish,threshold,elu,prelu}_layer.cpp`.
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { Tensor } from "../types.js";
import { dimProduct, formatShape } from "./util.js";

const f32 = Math.fround;

// Caffe keeps every layer parameter as a float32 (`Dtype`): the kernels round
// them with Math.fround before use, so a threshold of 0.1 compares as Caffe's.

/** Applies `fn` to every element (the result is stored as float32). */
function map(input: Tensor, fn: (x: number) => number): Tensor {
  const x = input.data;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = fn(x[i]!);
  return { shape: [...input.shape], data: out };
}

/** Caffe's sigmoid, `0.5·tanh(0.5·x) + 0.5` (numerically stable for large |x|). */
function sigmoidOf(x: number): number {
  return 0.5 * Math.tanh(0.5 * x) + 0.5;
}

/**
 * Caffe Sigmoid: `y = 1 / (1 + e^−x)`, computed as Caffe does as
 * `0.5·tanh(0.5·x) + 0.5` (no overflow for large |x|).
 *
 * Cost: one pass over the input.
 */
export function sigmoid(input: Tensor): Tensor {
  return map(input, sigmoidOf);
}

/** Caffe TanH: `y = tanh(x)`. Cost: one pass over the input. */
export function tanh(input: Tensor): Tensor {
  return map(input, Math.tanh);
}

/** Caffe AbsVal: `y = |x|`. Cost: one pass over the input. */
export function absVal(input: Tensor): Tensor {
  return map(input, Math.abs);
}

/**
 * Caffe BNLL ("binomial normal log likelihood", softplus):
 * `y = log(1 + e^x)`, evaluated as Caffe does without overflow:
 * `x > 0 ? x + log(1 + e^−x) : log(1 + e^x)` (in double precision, stored as
 * float32; for x below about −37 the sum `1 + e^x` is 1 and y is 0, as in Caffe).
 *
 * Cost: one pass over the input.
 */
export function bnll(input: Tensor): Tensor {
  return map(input, (x) => (x > 0 ? x + Math.log(1 + Math.exp(-x)) : Math.log(1 + Math.exp(x))));
}

/** Parameters of {@link power} (Caffe `power_param`). */
export interface PowerParams {
  /** Exponent (Caffe default 1). */
  readonly power: number;
  /** Factor applied to x first (Caffe default 1). */
  readonly scale: number;
  /** Added after scaling (Caffe default 0). */
  readonly shift: number;
}

/**
 * Caffe Power: `y = (shift + scale·x)^power`, with Caffe's float32 steps
 * (`scale·x` rounded, then `+ shift` rounded, then the power). As in
 * `PowerLayer::Forward_cpu`, when `power·scale = 0` the output is the
 * constant `power = 0 ? 1 : shift^power`, and the scaling, shift and power
 * steps are skipped when they are the identity (scale 1, shift 0, power 1).
 * A negative base with a non-integer power gives NaN, as `pow` does.
 *
 * Cost: one pass over the input.
 */
export function power(input: Tensor, params: PowerParams): Tensor {
  const p = f32(params.power);
  const a = f32(params.scale);
  const b = f32(params.shift);
  if (f32(p * a) === 0) {
    const value = p === 0 ? 1 : Math.pow(b, p);
    return { shape: [...input.shape], data: new Float32Array(input.data.length).fill(value) };
  }
  return map(input, (x) => {
    let v = x;
    if (a !== 1) v = f32(a * v);
    if (b !== 0) v = f32(v + b);
    return p === 1 ? v : Math.pow(v, p);
  });
}

/** Parameters of {@link exp} and {@link log} (Caffe `exp_param` / `log_param`). */
export interface ExpLogParams {
  /** The base; −1 (Caffe's default) means e. Otherwise positive. */
  readonly base: number;
  /** Factor applied to x (Caffe default 1). */
  readonly scale: number;
  /** Added after scaling (Caffe default 0). */
  readonly shift: number;
}

/**
 * Caffe Exp: `y = base^(shift + scale·x)` (base −1 means e). Computed as
 * Caffe's `ExpLayer` does, with float32 constants
 * `inner = ln(base)·scale` and `outer = base^shift`:
 * `y = outer · e^(inner·x)` (each step rounded to float32; the products are
 * skipped when the constant is 1).
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the base is neither −1 nor positive.
 */
export function exp(input: Tensor, params: ExpLogParams): Tensor {
  const base = f32(params.base);
  const a = f32(params.scale);
  const b = f32(params.shift);
  if (base !== -1 && !(base > 0)) throw new InvalidModelError(`Exp: base must be positive or -1 (e), got ${base}`);
  const logBase = base === -1 ? 1 : f32(Math.log(base));
  const inner = f32(logBase * a);
  const outer = b === 0 ? 1 : f32(base === -1 ? Math.exp(b) : Math.pow(base, b));
  return map(input, (x) => {
    const e = f32(Math.exp(inner === 1 ? x : f32(inner * x)));
    return outer === 1 ? e : outer * e;
  });
}

/**
 * Caffe Log: `y = log_base(shift + scale·x)` (base −1 means e). Computed as
 * Caffe's `LogLayer` does: `v = scale·x` (rounded; skipped for scale 1),
 * `v + shift` (rounded; skipped for shift 0), `ln v` (rounded), then times the
 * float32 constant `1 / ln(base)` unless the base is e. Non-positive
 * arguments give −∞ or NaN, as `log` does.
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the base is neither −1 nor positive.
 */
export function log(input: Tensor, params: ExpLogParams): Tensor {
  const base = f32(params.base);
  const a = f32(params.scale);
  const b = f32(params.shift);
  if (base !== -1 && !(base > 0)) throw new InvalidModelError(`Log: base must be positive or -1 (e), got ${base}`);
  const baseScale = base === -1 ? 1 : f32(1 / f32(Math.log(base)));
  return map(input, (x) => {
    let v = x;
    if (a !== 1) v = f32(a * v);
    if (b !== 0) v = f32(v + b);
    const l = f32(Math.log(v));
    return baseScale === 1 ? l : baseScale * l;
  });
}

/**
 * Caffe Clip: `y = max(min, min(x, max))`, with `std::min`/`std::max`'s
 * comparison order (so a NaN input gives `min`, as in Caffe).
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when `min > max`.
 */
export function clip(input: Tensor, min: number, max: number): Tensor {
  if (min > max) throw new InvalidModelError(`Clip: min ${min} is above max ${max}`);
  const lo = f32(min);
  const hi = f32(max);
  return map(input, (x) => {
    const upper = hi < x ? hi : x; // std::min(x, max)
    return lo < upper ? upper : lo; // std::max(min, upper)
  });
}

/**
 * Caffe Swish: `y = x · sigmoid(beta·x)` (Caffe default beta 1), with
 * `beta·x` rounded to float32 and Caffe's sigmoid (see {@link sigmoid})
 * rounded to float32 before the product.
 *
 * Cost: one pass over the input.
 */
export function swish(input: Tensor, beta = 1): Tensor {
  const k = f32(beta);
  return map(input, (x) => x * f32(sigmoidOf(k === 1 ? x : f32(k * x))));
}

/**
 * Caffe Threshold: `y = x > threshold ? 1 : 0` (Caffe default threshold 0).
 *
 * Cost: one pass over the input.
 */
export function threshold(input: Tensor, t = 0): Tensor {
  const level = f32(t);
  return map(input, (x) => (x > level ? 1 : 0));
}

/**
 * Caffe ELU: `y = x > 0 ? x : alpha·(e^x − 1)` (Caffe default alpha 1),
 * evaluated as Caffe's `max(x, 0) + alpha·(exp(min(x, 0)) − 1)`.
 *
 * Cost: one pass over the input.
 */
export function elu(input: Tensor, alpha = 1): Tensor {
  const k = f32(alpha);
  return map(input, (x) => {
    if (x > 0) return x;
    return k * f32(f32(Math.exp(x)) - 1);
  });
}

/**
 * Caffe PReLU: `y = max(0, x) + slope_c · min(0, x)`, where `c` is the
 * channel (axis 1) of the element and `slopes` holds one slope per channel,
 * or a single slope for all channels when `channelShared`.
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the input has no channel axis or the
 * slopes do not match the channels.
 */
export function prelu(input: Tensor, slopes: Float32Array, channelShared: boolean): Tensor {
  const shape = input.shape;
  if (shape.length < 2) throw new InvalidModelError(`PReLU: input ${formatShape(shape)} has no channel axis`);
  const channels = shape[1]!;
  const expected = channelShared ? 1 : channels;
  if (slopes.length !== expected) {
    throw new InvalidModelError(`PReLU: ${slopes.length} slopes for ${channelShared ? "a channel-shared slope" : `${channels} channels`}`);
  }
  const outer = shape[0]!;
  const inner = dimProduct(shape, 2);
  const x = input.data;
  const out = new Float32Array(x.length);
  for (let n = 0; n < outer; n++) {
    for (let c = 0; c < channels; c++) {
      const slope = slopes[channelShared ? 0 : c]!;
      const base = (n * channels + c) * inner;
      for (let i = base; i < base + inner; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? v : slope * v;
      }
    }
  }
  return { shape: [...shape], data: out };
}
