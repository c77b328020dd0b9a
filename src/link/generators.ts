/**
 * Built-in trace specs and the seeded trace generators: a step list
 * (`step:80@0,10@5000`), a bounded random walk (`walk:…`) and on/off
 * outages (`outage:…`). Every generator is a pure function of its options
 * (seeded with {@link mulberry32}); nothing reads the wall clock.
 *
 * @module
 */
import { mulberry32 } from "../random.js";
import { type BandwidthTrace, bandwidthTrace, type TracePoint, TraceError } from "./trace.js";

/** Options of {@link randomWalkTrace}. */
export interface RandomWalkOptions {
  /** Seed of the walk (default 1). */
  readonly seed?: number;
  /** Lowest rate, Mbps (default 5). */
  readonly min?: number;
  /** Highest rate, Mbps (default 100). */
  readonly max?: number;
  /** Rate at time 0, Mbps (default: the middle of `[min, max]`). */
  readonly start?: number;
  /** Time between steps, ms (default 1000). */
  readonly stepMs?: number;
  /** Largest change per step, Mbps; each step adds a uniform draw in `[−maxStep, maxStep]`, reflected into `[min, max]` (default 20). */
  readonly maxStep?: number;
  /** Length of the trace, ms (default 60 000). */
  readonly durationMs?: number;
}

/**
 * A seeded random walk between `min` and `max`: every `stepMs` the rate
 * moves by a uniform draw in `[−maxStep, maxStep]`, reflected at the bounds.
 * `O(durationMs / stepMs)`.
 * @throws {TraceError} on bounds that are not `0 ≤ min < max`, a start outside them, or a step ≤ 0.
 * @example
 * randomWalkTrace({ seed: 7, min: 5, max: 100 }).points.length; // 60
 */
export function randomWalkTrace(options: RandomWalkOptions = {}): BandwidthTrace {
  const seed = options.seed ?? 1;
  const min = options.min ?? 5;
  const max = options.max ?? 100;
  const start = options.start ?? (min + max) / 2;
  const stepMs = options.stepMs ?? 1000;
  const maxStep = options.maxStep ?? 20;
  const durationMs = options.durationMs ?? 60_000;
  const source = `walk:seed=${seed},min=${min},max=${max},start=${start},stepMs=${stepMs},maxStep=${maxStep},durationMs=${durationMs}`;
  if (!(min >= 0 && max > min && Number.isFinite(max))) throw new TraceError(`bounds must satisfy 0 ≤ min < max, got min=${min} max=${max}`, source);
  if (!(start >= min && start <= max)) throw new TraceError(`start must be within [min, max], got ${start}`, source);
  if (!(stepMs > 0 && Number.isFinite(stepMs)) || !(maxStep >= 0 && Number.isFinite(maxStep)) || !(durationMs > 0 && Number.isFinite(durationMs))) {
    throw new TraceError("stepMs and durationMs must be > 0 and maxStep ≥ 0", source);
  }
  const next = mulberry32(seed);
  const points: TracePoint[] = [];
  let rate = start;
  for (let t = 0; t < durationMs; t += stepMs) {
    points.push({ atMs: t, mbps: Math.round(rate * 1000) / 1000 });
    rate += (2 * next() - 1) * maxStep;
    // reflect into [min, max] (a step never exceeds the width, so one reflection per side suffices after clamping)
    for (let k = 0; k < 4 && (rate < min || rate > max); k++) rate = rate < min ? 2 * min - rate : 2 * max - rate;
    rate = Math.min(max, Math.max(min, rate));
  }
  return bandwidthTrace(points, source);
}

/** Options of {@link outageTrace}. */
export interface OutageOptions {
  /** Rate while the link is up, Mbps (default 80). */
  readonly mbps?: number;
  /** Mean time up between outages, ms (default 8000). */
  readonly upMs?: number;
  /** Mean outage length, ms (default 3000). */
  readonly downMs?: number;
  /** Each period is drawn uniformly in `mean × [1 − jitter, 1 + jitter]` (default 0.5; 0 gives exact periods). */
  readonly jitter?: number;
  /** Seed (default 1). */
  readonly seed?: number;
  /** Length of the trace, ms (default 60 000). */
  readonly durationMs?: number;
}

/**
 * On/off outages: the link is up at `mbps` for a period around `upMs`,
 * then down (0 Mbps) for a period around `downMs`, repeatedly; it starts up.
 * @throws {TraceError} on a rate ≤ 0, periods ≤ 0 or jitter outside [0, 1).
 * @example
 * outageTrace({ mbps: 80, upMs: 5000, downMs: 2000, jitter: 0 }).points.slice(0, 3);
 * // [{atMs: 0, mbps: 80}, {atMs: 5000, mbps: 0}, {atMs: 7000, mbps: 80}]
 */
export function outageTrace(options: OutageOptions = {}): BandwidthTrace {
  const mbps = options.mbps ?? 80;
  const upMs = options.upMs ?? 8000;
  const downMs = options.downMs ?? 3000;
  const jitter = options.jitter ?? 0.5;
  const seed = options.seed ?? 1;
  const durationMs = options.durationMs ?? 60_000;
  const source = `outage:mbps=${mbps},upMs=${upMs},downMs=${downMs},jitter=${jitter},seed=${seed},durationMs=${durationMs}`;
  if (!(mbps > 0 && Number.isFinite(mbps)) || !(upMs > 0) || !(downMs > 0) || !(durationMs > 0)) throw new TraceError("mbps, upMs, downMs and durationMs must be > 0", source);
  if (!(jitter >= 0 && jitter < 1)) throw new TraceError(`jitter must be in [0, 1), got ${jitter}`, source);
  const next = mulberry32(seed);
  const draw = (mean: number) => Math.round(mean * (1 + jitter * (2 * next() - 1)));
  const points: TracePoint[] = [];
  let t = 0;
  let up = true;
  while (t < durationMs) {
    points.push({ atMs: t, mbps: up ? mbps : 0 });
    t += Math.max(1, draw(up ? upMs : downMs));
    up = !up;
  }
  return bandwidthTrace(points, source);
}

/**
 * A step trace from `step:MBPS@MS,MBPS@MS,…` (e.g. `step:80@0,10@5000`).
 * @throws {TraceError} naming the spec and the bad item.
 */
export function stepTrace(spec: string): BandwidthTrace {
  const body = spec.replace(/^step:/, "");
  const points: TracePoint[] = [];
  const items = body.split(",").map((s) => s.trim());
  items.forEach((item, i) => {
    const match = /^([^@]+)@([^@]+)$/.exec(item);
    const mbps = match ? Number(match[1]) : NaN;
    const atMs = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(mbps) || !Number.isFinite(atMs)) throw new TraceError(`item ${i + 1} "${item}" is not MBPS@MS`, spec);
    if (mbps < 0) throw new TraceError(`item ${i + 1}: rate must be ≥ 0 Mbps, got ${mbps}`, spec);
    points.push({ atMs, mbps });
  });
  return bandwidthTrace(points, spec);
}

function keyValues(spec: string, allowed: readonly string[]): Record<string, number> {
  const body = spec.slice(spec.indexOf(":") + 1);
  const out: Record<string, number> = {};
  if (body.trim() === "") return out;
  for (const item of body.split(",")) {
    const match = /^\s*([A-Za-z]+)\s*=\s*([^=]+?)\s*$/.exec(item);
    if (!match || !allowed.includes(match[1]!)) throw new TraceError(`"${item}" is not one of ${allowed.map((k) => `${k}=N`).join(", ")}`, spec);
    const value = Number(match[2]);
    if (!Number.isFinite(value)) throw new TraceError(`${match[1]}: "${match[2]}" is not a number`, spec);
    out[match[1]!] = value;
  }
  return out;
}

/** True when `spec` names a built-in generator (`step:`, `walk:`, `outage:`) rather than a CSV file. */
export function isTraceSpec(spec: string): boolean {
  return /^(step|walk|outage):/.test(spec);
}

/**
 * A built-in trace from its spec:
 * - `step:MBPS@MS,…` — steps (see {@link stepTrace});
 * - `walk:seed=1,min=5,max=100,start=52.5,stepMs=1000,maxStep=20,durationMs=60000` — {@link randomWalkTrace} (every key optional);
 * - `outage:mbps=80,upMs=8000,downMs=3000,jitter=0.5,seed=1,durationMs=60000` — {@link outageTrace}.
 * @throws {TraceError} on an unknown kind or a bad value, naming the spec.
 */
export function parseTraceSpec(spec: string): BandwidthTrace {
  if (spec.startsWith("step:")) return stepTrace(spec);
  if (spec.startsWith("walk:")) return randomWalkTrace(keyValues(spec, ["seed", "min", "max", "start", "stepMs", "maxStep", "durationMs"]));
  if (spec.startsWith("outage:")) return outageTrace(keyValues(spec, ["mbps", "upMs", "downMs", "jitter", "seed", "durationMs"]));
  throw new TraceError('unknown trace spec; expected "step:MBPS@MS,…", "walk:…", "outage:…" or a CSV file', spec);
}
