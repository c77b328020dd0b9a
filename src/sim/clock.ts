/**
 * A deterministic virtual clock and event queue for the simulator (IONN §6:
 * the paper's scenario is replayed on simulated time, so device and link
 * costs are *charged*, not spent).
 *
 * Events sit in a binary min-heap keyed by `(time, sequence)`: equal times
 * fire in the order they were scheduled. {@link VirtualClock.run} drives an
 * async `main` function (the real client and server code): it pops one event,
 * sets the time, runs its callback, then lets every microtask that callback
 * caused run to completion before it looks at the next event. As long as the
 * code under simulation waits only on this clock (never on real timers or
 * I/O), the interleaving, and so every result, is a pure function of the
 * inputs. No wall clock and no `Math.random` are read here.
 *
 * NOTE: microtasks are drained by yielding to `setImmediate` between events
 * (a macrotask runs only once the microtask queue is empty). That is the one
 * use of a real-time facility, and it carries no time: only the order of
 * events matters.
 *
 * @module
 */
import { InvalidArgumentError, IonnError } from "../errors.js";
import type { Clock, Scheduler } from "../runtime/types.js";
import { macrotask } from "../platform/index.js";

/** Raised when a simulation cannot make progress or exceeds its limits. */
export class SimulationError extends IonnError {
  override name = "SimulationError";
}

interface QueuedEvent {
  readonly time: number;
  readonly sequence: number;
  readonly callback: () => void;
  cancelled: boolean;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

/** Options of {@link VirtualClock.run}. */
export interface RunOptions {
  /** Stop with a {@link SimulationError} after this many events (default 10 000 000). */
  readonly maxEvents?: number;
}

const yieldToMacrotask = (): Promise<void> => new Promise<void>((resolve) => macrotask(resolve));

/**
 * Virtual time in milliseconds, starting at 0, with an event queue. It is
 * both a {@link Clock} and a {@link Scheduler} of the runtime, so the real
 * `OffloadingClient` and `EdgeServer` run on it unchanged.
 *
 * Cost: `schedule` and each fired event are `O(log events)`.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const order: number[] = [];
 * const result = await clock.run(async () => {
 *   await Promise.all([clock.sleep(20).then(() => order.push(2)), clock.sleep(10).then(() => order.push(1))]);
 *   return clock.now(); // 20
 * });
 * ```
 */
export class VirtualClock implements Clock, Scheduler {
  private time = 0;
  private sequence = 0;
  private readonly heap: QueuedEvent[] = [];
  private fired = 0;

  /** Current virtual time (ms). */
  now(): number {
    return this.time;
  }

  /** Events fired so far (cancelled ones excluded). */
  eventsFired(): number {
    return this.fired;
  }

  /**
   * Call `callback` when the clock reaches `now() + ms`; events at the same
   * time fire in scheduling order. Returns a function that cancels the event.
   *
   * @throws {InvalidArgumentError} when `ms` is negative or not finite.
   */
  schedule(ms: number, callback: () => void): () => void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`VirtualClock.schedule: delay must be a finite number ≥ 0 ms, got ${ms}`);
    }
    const event: QueuedEvent = { time: this.time + ms, sequence: this.sequence++, callback, cancelled: false };
    this.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /**
   * A promise resolved when the clock reaches `now() + ms` (`ms = 0`: after
   * the events already due now).
   *
   * @throws {InvalidArgumentError} when `ms` is negative or not finite.
   */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.schedule(ms, resolve);
    });
  }

  /**
   * Run `main` to completion on virtual time: repeatedly let pending
   * microtasks finish, then fire the earliest event. Resolves with `main`'s
   * result (or rejects with its error) as soon as it settles; events still
   * queued then are left unfired.
   *
   * @throws {SimulationError} when `main` has not settled and no event is
   * left (a deadlock in the simulated code), or after `maxEvents` events.
   */
  async run<T>(main: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    const maxEvents = options.maxEvents ?? 10_000_000;
    let settled = false;
    let value: T | undefined;
    let failure: { error: unknown } | undefined;
    main().then(
      (v) => {
        settled = true;
        value = v;
      },
      (error: unknown) => {
        settled = true;
        failure = { error };
      },
    );
    let count = 0;
    for (;;) {
      await yieldToMacrotask();
      if (settled) break;
      const event = this.pop();
      if (event === undefined) {
        throw new SimulationError(`VirtualClock.run: the simulated code is waiting but no event is scheduled (deadlock at ${this.time} ms)`);
      }
      if (event.cancelled) continue;
      if (++count > maxEvents) throw new SimulationError(`VirtualClock.run: more than ${maxEvents} events; stopping at ${this.time} ms`);
      this.time = event.time;
      this.fired++;
      event.callback();
    }
    if (failure !== undefined) throw failure.error;
    return value as T;
  }

  private push(event: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
