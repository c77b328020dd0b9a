/**
 * Deficit round robin across flows (Shreedhar and Varghese, "Efficient fair
 * queuing using deficit round robin", SIGCOMM '95): each flow (an edge
 * server's session) has a FIFO of jobs with a cost (estimated work, e.g.
 * MACs); flows are visited in round-robin order and each visit adds a
 * quantum to the flow's deficit; the head job is served when its cost fits
 * in the deficit. Over time every backlogged flow gets the same share of
 * work whatever its job sizes, with O(1) work per job (amortised).
 *
 * NOTE: when no flow can pay for its head job in a full round, the rounds
 * that would only add quanta are skipped in one step (every flow gets
 * `k · quantum` with the least `k` that lets one flow pay), so a huge job
 * never makes `pop` loop `cost / quantum` times.
 *
 * @module
 */

interface Flow<T> {
  readonly key: string;
  readonly items: { readonly item: T; readonly cost: number }[];
  deficit: number;
}

/**
 * A deficit-round-robin queue of jobs of type `T` grouped by flow key.
 *
 * @example
 * ```ts
 * const queue = new DeficitRoundRobin<string>(1e6);
 * queue.push("a", "big", 5e6);
 * queue.push("b", "small", 1e5);
 * queue.pop(); // "small": flow b's job fits in its first quantum
 * ```
 */
export class DeficitRoundRobin<T> {
  private readonly flows = new Map<string, Flow<T>>();
  /** Backlogged flows in round-robin order; `active[0]` is being visited. */
  private active: Flow<T>[] = [];
  private count = 0;
  /** True when the flow at `active[0]` already got its quantum in this visit. */
  private visited = false;

  /** @param quantum work added to a flow's deficit per round (> 0). */
  constructor(private readonly quantum: number) {
    if (!(quantum > 0 && Number.isFinite(quantum))) throw new RangeError(`DeficitRoundRobin: quantum must be a positive number, got ${quantum}`);
  }

  /** Queued jobs, all flows. */
  get size(): number {
    return this.count;
  }

  /** Queue a job of `cost` (≥ 0; non-finite counts as the quantum) on flow `key`. Cost O(1). */
  push(key: string, item: T, cost: number): void {
    let flow = this.flows.get(key);
    if (flow === undefined) {
      flow = { key, items: [], deficit: 0 };
      this.flows.set(key, flow);
    }
    if (flow.items.length === 0) this.active.push(flow);
    flow.items.push({ item, cost: Number.isFinite(cost) && cost >= 0 ? cost : this.quantum });
    this.count++;
  }

  /** The next job by deficit round robin, or `undefined` when empty. Cost O(flows) worst case, O(1) amortised. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    for (;;) {
      // One pass: visit each flow once, adding its quantum on arrival.
      for (let visits = 0; visits < this.active.length; visits++) {
        const flow = this.active[0]!;
        if (!this.visited) {
          flow.deficit += this.quantum;
          this.visited = true;
        }
        const head = flow.items[0]!;
        if (head.cost <= flow.deficit) {
          flow.deficit -= head.cost;
          flow.items.shift();
          this.count--;
          if (flow.items.length === 0) {
            flow.deficit = 0;
            this.active.shift();
            this.flows.delete(flow.key);
            this.visited = false;
          }
          return head.item;
        }
        this.active.push(this.active.shift()!);
        this.visited = false;
      }
      // Nobody could pay: skip the rounds that would only add quanta.
      let rounds = Number.POSITIVE_INFINITY;
      for (const flow of this.active) rounds = Math.min(rounds, Math.ceil((flow.items[0]!.cost - flow.deficit) / this.quantum) - 1);
      if (rounds > 0) for (const flow of this.active) flow.deficit += rounds * this.quantum;
    }
  }

  /** Drop every queued job of flow `key`; returns them (e.g. to reject them). Cost O(flows). */
  remove(key: string): T[] {
    const flow = this.flows.get(key);
    if (flow === undefined) return [];
    this.flows.delete(key);
    const index = this.active.indexOf(flow);
    if (index >= 0) {
      this.active.splice(index, 1);
      if (index === 0) this.visited = false;
    }
    this.count -= flow.items.length;
    return flow.items.map((entry) => entry.item);
  }
}
