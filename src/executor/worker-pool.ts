/**
 * Execution off the event loop (issue 12): a pool of `node:worker_threads`
 * running the reference kernels, shared fairly between an edge server's
 * sessions by deficit round robin on estimated work ({@link DeficitRoundRobin}),
 * with a time budget per request. A request over its budget is cancelled by
 * terminating its worker, which is replaced at once; the other requests are
 * not affected (weights live in `SharedArrayBuffer`s owned by the main
 * thread, so a worker holds no state that a kill would lose).
 *
 * Each session gets its own {@link Executor} from {@link WorkerPool.executor}
 * (one flow of the fair queue). The event loop only copies the boundary
 * tensors into the job and the results out.
 *
 * The worker entry is `pool-worker.js` beside this file in the built
 * package; when this module runs from TypeScript sources (tests, `tsx`),
 * the worker registers `tsx` and loads `pool-worker.ts`.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { InvalidArgumentError, IonnError, TimeBudgetError } from "../errors.js";
import type { Layer } from "../model/types.js";
import { shapeSize } from "../model/types.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "../runtime/types.js";
import { DeficitRoundRobin } from "./fair-queue.js";
import { assertSupported } from "./layer.js";
import type { PoolJob, PoolReply } from "./pool-worker.js";

/** Options of {@link workerPool}. */
export interface WorkerPoolOptions {
  /** Worker threads (default: `os.availableParallelism()`, the machine's cores). */
  readonly size?: number;
  /** A request still running after this long is cancelled: its worker is terminated and replaced (default 30 000 ms). */
  readonly timeBudgetMs?: number;
  /** Work (estimated MACs) added to a session's deficit per round of the fair queue (default 5·10^7). */
  readonly quantum?: number;
  /** Use deficit round robin across sessions (default `true`); `false`: one FIFO in arrival order (the baseline). */
  readonly fair?: boolean;
  /** Window over which utilization is measured (default 2 000 ms). */
  readonly windowMs?: number;
}

/** The pool's load, as reported to clients. */
export interface PoolLoad {
  /** Mean wait in the queue of the jobs started in the last window (ms), or the oldest waiting job's wait if larger. */
  readonly queueDelayMs: number;
  /** Fraction of worker time busy over the last window (0–1). */
  readonly utilization: number;
  /** Jobs waiting. */
  readonly queued: number;
  /** Worker threads. */
  readonly workers: number;
}

/** Counters of a {@link WorkerPool}. */
export interface PoolStats {
  /** Jobs completed (answered or failed by the kernels). */
  readonly completed: number;
  /** Jobs cancelled for exceeding the time budget. */
  readonly cancelled: number;
  /** Workers replaced (after a cancellation or a crash). */
  readonly replaced: number;
}

export { TimeBudgetError };

/** A pool of worker threads executing layers for many sessions. */
export interface WorkerPool {
  /** Worker threads. */
  readonly size: number;
  /** A new, empty executor whose runs go through the pool as one flow of the fair queue. */
  executor(): Executor;
  /** Current load. */
  load(): PoolLoad;
  /** Counters. */
  stats(): PoolStats;
  /** Terminate the workers; queued and running jobs are rejected. */
  close(): Promise<void>;
}

interface Job {
  readonly flow: string;
  readonly message: PoolJob;
  readonly transfer: ArrayBuffer[];
  readonly enqueuedAt: number;
  resolve(outputs: Map<string, Tensor>): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  startedAt: number;
}

function spawn(): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    const target = new URL("./pool-worker.ts", here).href;
    let tsx = "tsx/esm/api";
    try {
      tsx = import.meta.resolve("tsx/esm/api");
    } catch {
      // fall back to resolving from the working directory
    }
    const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(code, { eval: true });
  }
  return new Worker(new URL("./pool-worker.js", here));
}

/**
 * Weights in shared memory so every worker can read them without a copy per
 * request: a blob already alone in a `SharedArrayBuffer` (the edge server
 * assembles uploads that way) is adopted, anything else is copied.
 */
function shared(blobs: LayerWeights): Float32Array[] {
  return blobs.map((blob) => {
    if (blob.buffer instanceof SharedArrayBuffer && blob.byteOffset === 0 && blob.byteLength === blob.buffer.byteLength) return blob;
    const copy = new Float32Array(new SharedArrayBuffer(blob.length * 4));
    copy.set(blob);
    return copy;
  });
}

/**
 * Start a pool of worker threads (see the module comment).
 *
 * @throws {@link InvalidArgumentError} for a size that is not a positive integer or a budget ≤ 0.
 * @example
 * ```ts
 * const pool = workerPool({ size: 2, timeBudgetMs: 10_000 });
 * const server = new EdgeServer({ executorFactory: () => pool.executor(), load: () => pool.load() });
 * // … later
 * await pool.close();
 * ```
 */
export function workerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const size = options.size ?? availableParallelism();
  const budget = options.timeBudgetMs ?? 30_000;
  const windowMs = options.windowMs ?? 2000;
  if (!(Number.isInteger(size) && size >= 1)) throw new InvalidArgumentError(`workerPool: size must be a whole number ≥ 1, got ${size}`);
  if (!(budget > 0)) throw new InvalidArgumentError(`workerPool: timeBudgetMs must be > 0, got ${budget}`);
  const fair = options.fair ?? true;
  const queue = new DeficitRoundRobin<Job>(options.quantum ?? 5e7);
  const fifo: Job[] = [];
  const slots: Slot[] = [];
  /** Completed busy intervals and queue waits within the window. */
  const recent: { start: number; end: number; wait: number }[] = [];
  let nextId = 1;
  let nextFlow = 1;
  let closed = false;
  let completed = 0;
  let cancelled = 0;
  let replaced = 0;

  const queued = () => (fair ? queue.size : fifo.length);

  function newSlot(): Slot {
    const slot: Slot = { worker: spawn(), job: undefined, timer: undefined, startedAt: 0 };
    attach(slot);
    return slot;
  }

  function attach(slot: Slot): void {
    const worker = slot.worker;
    worker.unref();
    worker.on("message", (reply: PoolReply) => {
      const job = slot.job;
      if (job === undefined || job.message.id !== reply.id) return;
      finish(slot);
      completed++;
      if (reply.ok) job.resolve(new Map(reply.outputs.map(([k, t]) => [k, t])));
      else {
        const error = new IonnError(reply.message);
        error.name = reply.name;
        job.reject(error);
      }
      dispatch();
    });
    worker.on("error", (error) => {
      if (slot.worker !== worker) return;
      const job = slot.job;
      finish(slot);
      replace(slot);
      job?.reject(new IonnError(`worker pool: a worker failed: ${error.message}`));
      dispatch();
    });
    worker.on("exit", () => {
      if (slot.worker !== worker || closed) return;
      const job = slot.job;
      finish(slot);
      replace(slot);
      job?.reject(new IonnError(`worker pool: a worker exited`));
      dispatch();
    });
  }

  function finish(slot: Slot): void {
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    if (slot.job !== undefined) {
      const now = performance.now();
      recent.push({ start: slot.startedAt, end: now, wait: slot.startedAt - slot.job.enqueuedAt });
      trim(now);
    }
    slot.job = undefined;
  }

  function replace(slot: Slot): void {
    const old = slot.worker;
    slot.worker = spawn();
    replaced++;
    attach(slot);
    void old.terminate().catch(() => undefined);
  }

  function trim(now: number): void {
    while (recent.length > 0 && recent[0]!.end < now - windowMs) recent.shift();
    if (recent.length > 4096) recent.splice(0, recent.length - 4096);
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (slot.job !== undefined) continue;
      const job = fair ? queue.pop() : fifo.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.startedAt = performance.now();
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        finish(slot);
        cancelled++;
        replace(slot);
        job.reject(new TimeBudgetError(`worker pool: the request ran past its time budget of ${budget} ms and was cancelled`));
        dispatch();
      }, budget);
      slot.timer.unref?.();
      slot.worker.postMessage(job.message, job.transfer);
    }
  }

  for (let i = 0; i < size; i++) slots.push(newSlot());

  function submit(flow: string, cost: number, message: Omit<PoolJob, "id">, transfer: ArrayBuffer[]): Promise<Map<string, Tensor>> {
    if (closed) return Promise.reject(new IonnError("worker pool: closed"));
    return new Promise((resolve, reject) => {
      const job: Job = { flow, message: { ...message, id: nextId++ }, transfer, enqueuedAt: performance.now(), resolve, reject };
      if (fair) queue.push(flow, job, cost);
      else fifo.push(job);
      dispatch();
    });
  }

  return {
    size,
    executor(): Executor {
      const flow = String(nextFlow++);
      const loaded = new Map<number, { layer: Layer; weights: Float32Array[] }>();
      return {
        async load(layers: readonly Layer[], weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
          const staged: { layer: Layer; weights: Float32Array[] }[] = [];
          for (const layer of layers) {
            assertSupported(layer);
            const blobs = weights.get(layer.name) ?? [];
            if (blobs.length !== layer.paramShapes.length || blobs.some((b, i) => b.length !== shapeSize(layer.paramShapes[i]!))) {
              throw new InvalidArgumentError(`worker pool executor: layer "${layer.name}" needs ${layer.paramShapes.length} blob(s) of shapes ${JSON.stringify(layer.paramShapes)}`);
            }
            staged.push({ layer, weights: shared(blobs) });
          }
          for (const entry of staged) loaded.set(entry.layer.index, entry);
        },
        run(indices: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
          const layers: Layer[] = [];
          const weights: [string, LayerWeights][] = [];
          let cost = 0;
          for (const index of new Set(indices)) {
            const entry = loaded.get(index);
            if (entry === undefined) return Promise.reject(new InvalidArgumentError(`worker pool executor: layer ${index} is not loaded`));
            layers.push(entry.layer);
            if (entry.weights.length > 0) weights.push([entry.layer.name, entry.weights]);
            cost += entry.layer.macs + entry.layer.outputShapes.reduce((a, s) => a + shapeSize(s), 0);
          }
          const transfer: ArrayBuffer[] = [];
          const sent: [string, Tensor][] = [];
          for (const [key, tensor] of inputs) {
            const data = tensor.data.slice();
            transfer.push(data.buffer as ArrayBuffer);
            sent.push([key, { shape: [...tensor.shape], data }]);
          }
          return submit(flow, cost, { layers, weights, run: [...indices], inputs: sent, outputs: [...outputs] }, transfer);
        },
        loadedLayers(): ReadonlySet<string> {
          return new Set([...loaded.values()].map((entry) => entry.layer.name));
        },
      };
    },
    load(): PoolLoad {
      const now = performance.now();
      trim(now);
      let busy = 0;
      let waits = 0;
      for (const interval of recent) {
        busy += interval.end - Math.max(interval.start, now - windowMs);
        waits += interval.wait;
      }
      for (const slot of slots) if (slot.job !== undefined) busy += now - Math.max(slot.startedAt, now - windowMs);
      let oldest = 0;
      const head = fair ? undefined : fifo[0];
      if (head !== undefined) oldest = now - head.enqueuedAt;
      const mean = recent.length > 0 ? waits / recent.length : 0;
      return {
        queueDelayMs: Math.max(mean, oldest),
        utilization: Math.min(1, busy / (windowMs * size)),
        queued: queued(),
        workers: size,
      };
    },
    stats: () => ({ completed, cancelled, replaced }),
    async close(): Promise<void> {
      closed = true;
      const error = new IonnError("worker pool: closed");
      for (const slot of slots) {
        slot.job?.reject(error);
        finish(slot);
      }
      for (const job of fifo.splice(0)) job.reject(error);
      for (let job = queue.pop(); job !== undefined; job = queue.pop()) job.reject(error);
      await Promise.all(slots.map((slot) => slot.worker.terminate().catch(() => undefined)));
    },
  };
}
