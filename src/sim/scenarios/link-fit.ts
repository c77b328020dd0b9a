/**
 * The `paper-2018` calibration's link parameters, fitted to the paper's
 * Table 2 (IONN §6.2, upload completion time of all-at-once at "about
 * 80 Mbps"): completion = per-transfer overhead + bytes / effective
 * throughput + what the simulator adds by itself (handshake, latency, server
 * loading time, ACK). Two parameters, five values, ordinary least squares on
 * the completion times in seconds.
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";

/** One network of the paper's Table 2 (seconds) and Table 1's order. */
export interface PaperTable2Row {
  /** Zoo name. */
  readonly network: string;
  /** The paper's name. */
  readonly label: string;
  /** All_at_once, s. */
  readonly allAtOnceS: number;
  /** IONN (K = 0.1), s. */
  readonly ionn01S: number;
  /** IONN (K = 0.5), s. */
  readonly ionn05S: number;
}

/** Table 2 of the paper, "Uploading Completion Time (second)", at 80 Mbps. */
export const PAPER_TABLE_2: readonly PaperTable2Row[] = Object.freeze([
  { network: "alexnet", label: "AlexNet", allAtOnceS: 28.7, ionn01S: 30.3, ionn05S: 30.7 },
  { network: "inception-bn-21k", label: "Inception", allAtOnceS: 16.4, ionn01S: 16.7, ionn05S: 16.8 },
  { network: "resnet50", label: "ResNet", allAtOnceS: 12.1, ionn01S: 12.6, ionn05S: 13.0 },
  { network: "googlenet", label: "GoogleNet", allAtOnceS: 3.9, ionn01S: 3.9, ionn05S: 4.4 },
  { network: "mobilenet-v1", label: "MobileNet", allAtOnceS: 2.3, ionn01S: 2.5, ionn05S: 2.8 },
]);

/** One observation of the fit: what one all-at-once upload carries and what the paper measured. */
export interface LinkFitPoint {
  /** Label in the residual list. */
  readonly network: string;
  /** Bytes the upload puts on the uplink (the partition's frame). */
  readonly bytes: number;
  /** Time the simulator adds regardless of the two parameters (handshake, latency, server loading, ACK), ms. */
  readonly otherMs: number;
  /** The paper's completion time, ms. */
  readonly paperMs: number;
}

/** One point's fitted value against the paper's. */
export interface LinkFitResidual {
  /** The point's label. */
  readonly network: string;
  /** The paper's completion time, s. */
  readonly paperS: number;
  /** The fitted completion time, s. */
  readonly fittedS: number;
  /** fitted / paper. */
  readonly ratio: number;
  /** fitted − paper, s. */
  readonly residualS: number;
}

/** The fitted parameters and the residuals. */
export interface LinkFit {
  /** Per-transfer overhead, ms (the intercept). */
  readonly overheadMs: number;
  /** Effective throughput, Mbps (10^6 bit/s; from the slope). */
  readonly mbps: number;
  /** Per point: the paper's and the fitted completion time, their ratio and the residual (fitted − paper), s. */
  readonly residuals: readonly LinkFitResidual[];
  /** Root-mean-square residual, s. */
  readonly rmseS: number;
}

/**
 * Ordinary least squares of `paperMs − otherMs = overheadMs + bytes · 8 / (mbps · 1000)`
 * over the points (closed form, 2 × 2 normal equations). `O(points)`.
 *
 * @throws {InvalidArgumentError} with fewer than 2 points, equal byte counts, non-finite values, or a fit whose slope is not positive.
 * @example
 * ```ts
 * fitLink([{ network: "a", bytes: 1e6, otherMs: 0, paperMs: 200 }, { network: "b", bytes: 2e6, otherMs: 0, paperMs: 300 }]);
 * // { overheadMs: 100, mbps: 80, … }
 * ```
 */
export function fitLink(points: readonly LinkFitPoint[]): LinkFit {
  if (points.length < 2) throw new InvalidArgumentError(`fitLink: at least 2 points are needed, got ${points.length}`);
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    if (![p.bytes, p.otherMs, p.paperMs].every(Number.isFinite)) throw new InvalidArgumentError(`fitLink: point "${p.network}" has a non-finite value`);
    sx += p.bytes;
    sy += p.paperMs - p.otherMs;
  }
  const n = points.length;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.bytes - mx) ** 2;
    sxy += (p.bytes - mx) * (p.paperMs - p.otherMs - my);
  }
  if (!(sxx > 0)) throw new InvalidArgumentError("fitLink: all points have the same byte count; the throughput cannot be fitted");
  const msPerByte = sxy / sxx;
  if (!(msPerByte > 0)) throw new InvalidArgumentError(`fitLink: the fitted time per byte is ${msPerByte} ms, not positive`);
  const overheadMs = my - msPerByte * mx;
  const mbps = 8 / (msPerByte * 1000);
  let sse = 0;
  const residuals = points.map((p) => {
    const fittedMs = overheadMs + p.bytes * msPerByte + p.otherMs;
    sse += ((fittedMs - p.paperMs) / 1000) ** 2;
    return { network: p.network, paperS: p.paperMs / 1000, fittedS: fittedMs / 1000, ratio: fittedMs / p.paperMs, residualS: (fittedMs - p.paperMs) / 1000 };
  });
  return { overheadMs, mbps, residuals, rmseS: Math.sqrt(sse / n) };
}
