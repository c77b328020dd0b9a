/**
 * Bandwidth traces: a step-wise rate over time (`timeMs,mbps` points; the
 * rate of a point holds until the next one), parsed from CSV, from a
 * `step:MBPS@MS,…` spec, or made by the seeded generators of
 * `generators.ts`. A rate of 0 is an outage.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** One step of a trace: from `atMs` on, the link carries `mbps` (until the next point). */
export interface TracePoint {
  /** Start of the step, ms since the start of the run (≥ 0). */
  readonly atMs: number;
  /** Rate during the step, Mbps (≥ 0; 0 is an outage). */
  readonly mbps: number;
}

/** A step-wise bandwidth trace: points sorted by strictly increasing `atMs`; before the first point the first rate holds. */
export interface BandwidthTrace {
  /** Where the trace came from (a file name, a spec), for messages and reports. */
  readonly source: string;
  /** The steps, strictly increasing in `atMs`, never empty. */
  readonly points: readonly TracePoint[];
}

/** Error in a trace file or spec; the message names the file (or spec) and the line. */
export class TraceError extends InvalidArgumentError {
  /** The class name, `"TraceError"`. */
  override name = "TraceError";
  constructor(
    message: string,
    /** The file name or spec. */
    readonly source: string,
    /** 1-based line number, when the error is on one line. */
    readonly line?: number,
  ) {
    super(line === undefined ? `${source}: ${message}` : `${source}:${line}: ${message}`);
  }
}

/**
 * Check and freeze a list of points into a trace.
 * @throws {TraceError} when empty, a rate is negative or not finite, or times are not strictly increasing.
 */
export function bandwidthTrace(points: readonly TracePoint[], source = "trace"): BandwidthTrace {
  if (points.length === 0) throw new TraceError("the trace has no points", source);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.atMs) || p.atMs < 0) throw new TraceError(`point ${i + 1}: time must be a finite number ≥ 0, got ${p.atMs}`, source);
    if (!Number.isFinite(p.mbps) || p.mbps < 0) throw new TraceError(`point ${i + 1}: rate must be a finite number ≥ 0 Mbps, got ${p.mbps}`, source);
    if (i > 0 && !(p.atMs > points[i - 1]!.atMs)) throw new TraceError(`point ${i + 1}: times must increase strictly (${p.atMs} after ${points[i - 1]!.atMs})`, source);
  }
  return { source, points: points.map((p) => ({ atMs: p.atMs, mbps: p.mbps })) };
}

/** Index of the step in force at `ms` (binary search; the first step before the first point). */
function stepIndex(trace: BandwidthTrace, ms: number): number {
  const points = trace.points;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.atMs <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The rate in force at `ms`, Mbps. `O(log points)`.
 * @example
 * rateAt(parseTraceSpec("step:80@0,10@5000"), 6000); // 10
 */
export function rateAt(trace: BandwidthTrace, ms: number): number {
  return trace.points[stepIndex(trace, ms)]!.mbps;
}

/** The first step change strictly after `ms`, or `undefined` when the rate stays. */
export function nextChangeAfter(trace: BandwidthTrace, ms: number): number | undefined {
  const i = stepIndex(trace, ms);
  const points = trace.points;
  if (points[0]!.atMs > ms) return points[0]!.atMs;
  return i + 1 < points.length ? points[i + 1]!.atMs : undefined;
}

/**
 * Mean rate over `[fromMs, toMs)`, Mbps (the time-weighted mean of the steps).
 * @throws {InvalidArgumentError} when `toMs ≤ fromMs`.
 */
export function meanRate(trace: BandwidthTrace, fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) throw new InvalidArgumentError(`meanRate: toMs (${toMs}) must exceed fromMs (${fromMs})`);
  let sum = 0;
  let t = fromMs;
  while (t < toMs) {
    const next = Math.min(nextChangeAfter(trace, t) ?? toMs, toMs);
    sum += rateAt(trace, t) * (next - t);
    t = next;
  }
  return sum / (toMs - fromMs);
}

/**
 * Parse a CSV trace: one `timeMs,mbps` point per line, step-wise; an
 * optional header line `timeMs,mbps`, blank lines and `#` comments are
 * skipped.
 *
 * @param source the file name, used in error messages.
 * @throws {TraceError} naming `source` and the line: a line that is not two numbers, a negative rate or time, times not strictly increasing, or no points.
 * @example
 * parseBandwidthTraceCsv("timeMs,mbps\n0,80\n5000,10\n", "walk.csv").points; // [{atMs: 0, mbps: 80}, {atMs: 5000, mbps: 10}]
 */
export function parseBandwidthTraceCsv(text: string, source: string): BandwidthTrace {
  const points: TracePoint[] = [];
  const lines = text.split(/\r?\n/);
  let previousLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const lineNo = i + 1;
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(",").map((f) => f.trim());
    if (points.length === 0 && previousLine === 0 && /^[A-Za-z_]/.test(fields[0] ?? "")) {
      if (fields.length !== 2 || fields[0]!.toLowerCase() !== "timems" || fields[1]!.toLowerCase() !== "mbps") {
        throw new TraceError(`expected the header "timeMs,mbps" or a point "timeMs,mbps", got "${line}"`, source, lineNo);
      }
      previousLine = -1; // header seen
      continue;
    }
    if (fields.length !== 2) throw new TraceError(`expected two fields "timeMs,mbps", got ${fields.length} in "${line}"`, source, lineNo);
    const [timeText, rateText] = fields as [string, string];
    const atMs = Number(timeText);
    const mbps = Number(rateText);
    if (timeText === "" || !Number.isFinite(atMs)) throw new TraceError(`time "${timeText}" is not a number`, source, lineNo);
    if (rateText === "" || !Number.isFinite(mbps)) throw new TraceError(`rate "${rateText}" is not a number`, source, lineNo);
    if (atMs < 0) throw new TraceError(`time must be ≥ 0 ms, got ${atMs}`, source, lineNo);
    if (mbps < 0) throw new TraceError(`rate must be ≥ 0 Mbps, got ${mbps}`, source, lineNo);
    const last = points[points.length - 1];
    if (last !== undefined && !(atMs > last.atMs)) {
      throw new TraceError(`times must increase strictly: ${atMs} ms after ${last.atMs} ms (line ${previousLine})`, source, lineNo);
    }
    points.push({ atMs, mbps });
    previousLine = lineNo;
  }
  if (points.length === 0) throw new TraceError("the trace file is empty (no timeMs,mbps points)", source);
  return { source, points };
}

/** A trace as CSV (`timeMs,mbps` header, one point per line): the inverse of {@link parseBandwidthTraceCsv}. */
export function bandwidthTraceCsv(trace: BandwidthTrace): string {
  return `timeMs,mbps\n${trace.points.map((p) => `${p.atMs},${p.mbps}`).join("\n")}\n`;
}
