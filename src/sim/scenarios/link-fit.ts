/**
 * The `paper-2018` calibration's link parameters, fitted to the paper's
 * Table 2 (IONN §6.2, upload completion time of all-at-once at "about
 * 80 Mbps"): completion = per-transfer overhead + bytes / effective
 * throughput + what the simulator adds by itself (handshake, latency, server
 * loading time, ACK). Two parameters, five values, fitted by one of three
 * criteria ({@link LinkFitCriterion}): the largest relative error made as
 * small as possible (`"relative-minimax"`, what `paper-2018` uses, since the
 * acceptance is a relative bound on every cell), least squares of the
 * relative residuals, or ordinary least squares in seconds.
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

/**
 * What {@link fitLink} minimises over the points, with `r = fitted / paper − 1`:
 * - `"least-squares"`: Σ (fitted − paper)², in seconds (ordinary least squares);
 * - `"relative-least-squares"`: Σ r² (weighted least squares, weights 1 / paper²);
 * - `"relative-minimax"`: max |r| (the Chebyshev fit of the relative errors).
 */
export type LinkFitCriterion = "least-squares" | "relative-least-squares" | "relative-minimax";

/** The fitted parameters and the residuals. */
export interface LinkFit {
  /** The criterion that was minimised. */
  readonly criterion: LinkFitCriterion;
  /** Overhead, ms (the intercept). */
  readonly overheadMs: number;
  /** Effective throughput, Mbps (10^6 bit/s; from the slope). */
  readonly mbps: number;
  /** Per point: the paper's and the fitted completion time, their ratio and the residual (fitted − paper), s. */
  readonly residuals: readonly LinkFitResidual[];
  /** Root-mean-square residual, s. */
  readonly rmseS: number;
  /** Largest |fitted / paper − 1| over the points. */
  readonly maxRelativeError: number;
}

function checkPoints(points: readonly LinkFitPoint[]): void {
  if (points.length < 2) throw new InvalidArgumentError(`fitLink: at least 2 points are needed, got ${points.length}`);
  for (const p of points) {
    if (![p.bytes, p.otherMs, p.paperMs].every(Number.isFinite)) throw new InvalidArgumentError(`fitLink: point "${p.network}" has a non-finite value`);
    if (!(p.paperMs > 0)) throw new InvalidArgumentError(`fitLink: point "${p.network}" has a paper time of ${p.paperMs} ms, not positive`);
  }
  if (points.every((p) => p.bytes === points[0]!.bytes)) throw new InvalidArgumentError("fitLink: all points have the same byte count; the throughput cannot be fitted");
}

/** Weighted least squares of `paperMs − otherMs = a + b · bytes` (weights `w`; closed form). */
function weightedLine(points: readonly LinkFitPoint[], weight: (p: LinkFitPoint) => number): { a: number; b: number } {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    const w = weight(p);
    sw += w;
    sx += w * p.bytes;
    sy += w * (p.paperMs - p.otherMs);
  }
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const w = weight(p);
    sxx += w * (p.bytes - mx) ** 2;
    sxy += w * (p.bytes - mx) * (p.paperMs - p.otherMs - my);
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

/**
 * The line minimising max_i |(a + b · bytes_i + other_i) / paper_i − 1|: a
 * linear programme in (a, b, t) whose optimum is a vertex where three points
 * reach ±t, so every triple of points and sign pattern is solved for its
 * equioscillating line and the one with the smallest largest error over all
 * points is kept (exact; `O(points⁴)`, meant for a handful of points). With
 * two points (or collinear data) the line through them is exact.
 */
function minimaxLine(points: readonly LinkFitPoint[]): { a: number; b: number } {
  // r_i = a · u_i + b · v_i + c_i with u = 1/paper, v = bytes/paper, c = (other − paper)/paper.
  const u = points.map((p) => 1 / p.paperMs);
  const v = points.map((p) => p.bytes / p.paperMs);
  const c = points.map((p) => (p.otherMs - p.paperMs) / p.paperMs);
  const worst = (a: number, b: number) => Math.max(...points.map((_, i) => Math.abs(a * u[i]! + b * v[i]! + c[i]!)));
  // Start from the relative least-squares line (always a candidate; exact for two points).
  let best = weightedLine(points, (p) => 1 / p.paperMs ** 2);
  let bestError = worst(best.a, best.b);
  const n = points.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        for (const [si, sj, sk] of [[1, 1, -1], [1, -1, 1], [-1, 1, 1], [1, 1, 1]] as const) {
          // a·u + b·v − s·t = −c for the three points; Cramer's rule.
          const m = [
            [u[i]!, v[i]!, -si, -c[i]!],
            [u[j]!, v[j]!, -sj, -c[j]!],
            [u[k]!, v[k]!, -sk, -c[k]!],
          ];
          const det3 = (col: (row: number[]) => [number, number, number]) => {
            const [r0, r1, r2] = [col(m[0]!), col(m[1]!), col(m[2]!)];
            return r0[0] * (r1[1] * r2[2] - r1[2] * r2[1]) - r0[1] * (r1[0] * r2[2] - r1[2] * r2[0]) + r0[2] * (r1[0] * r2[1] - r1[1] * r2[0]);
          };
          const d = det3((r) => [r[0]!, r[1]!, r[2]!]);
          if (Math.abs(d) < 1e-300) continue;
          const a = det3((r) => [r[3]!, r[1]!, r[2]!]) / d;
          const b = det3((r) => [r[0]!, r[3]!, r[2]!]) / d;
          if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
          const e = worst(a, b);
          if (e < bestError) {
            best = { a, b };
            bestError = e;
          }
        }
      }
    }
  }
  return best;
}

/**
 * Fit `paperMs − otherMs = overheadMs + bytes · 8 / (mbps · 1000)` over the
 * points by `criterion` (default `"least-squares"`, ordinary least squares in
 * seconds; see {@link LinkFitCriterion}). Closed form for the two least-squares
 * criteria, `O(points)`; exact vertex enumeration for the minimax one,
 * `O(points⁴)`.
 *
 * @throws {InvalidArgumentError} with fewer than 2 points, equal byte counts, non-finite values, a paper time ≤ 0, an unknown criterion, or a fit whose slope is not positive.
 * @example
 * ```ts
 * fitLink([{ network: "a", bytes: 1e6, otherMs: 0, paperMs: 200 }, { network: "b", bytes: 2e6, otherMs: 0, paperMs: 300 }]);
 * // { overheadMs: 100, mbps: 80, … }
 * fitLink(points, "relative-minimax").maxRelativeError; // the smallest largest |fitted / paper − 1| any line reaches
 * ```
 */
export function fitLink(points: readonly LinkFitPoint[], criterion: LinkFitCriterion = "least-squares"): LinkFit {
  checkPoints(points);
  let line: { a: number; b: number };
  switch (criterion) {
    case "least-squares":
      line = weightedLine(points, () => 1);
      break;
    case "relative-least-squares":
      line = weightedLine(points, (p) => 1 / p.paperMs ** 2);
      break;
    case "relative-minimax":
      line = minimaxLine(points);
      break;
    default:
      throw new InvalidArgumentError(`fitLink: unknown criterion "${String(criterion)}" (expected least-squares, relative-least-squares or relative-minimax)`);
  }
  const msPerByte = line.b;
  if (!(msPerByte > 0)) throw new InvalidArgumentError(`fitLink: the fitted time per byte is ${msPerByte} ms, not positive`);
  const overheadMs = line.a;
  const mbps = 8 / (msPerByte * 1000);
  let sse = 0;
  let maxRelativeError = 0;
  const residuals = points.map((p) => {
    const fittedMs = overheadMs + p.bytes * msPerByte + p.otherMs;
    sse += ((fittedMs - p.paperMs) / 1000) ** 2;
    maxRelativeError = Math.max(maxRelativeError, Math.abs(fittedMs / p.paperMs - 1));
    return { network: p.network, paperS: p.paperMs / 1000, fittedS: fittedMs / 1000, ratio: fittedMs / p.paperMs, residualS: (fittedMs - p.paperMs) / 1000 };
  });
  return { criterion, overheadMs, mbps, residuals, rmseS: Math.sqrt(sse / points.length), maxRelativeError };
}
