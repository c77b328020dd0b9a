/**
 * Load-aware placement (issue 12): which of the layers uploaded so far a
 * query should run on the server, given the server's reported load. A busy
 * server is slower by its queue delay (paid once per server run) and by its
 * utilization (a request shares the workers with others: its service time is
 * stretched by 1 / (1 − ρ), the M/M/1 factor, ρ capped at 0.95); so a loaded
 * server makes the client keep more layers.
 *
 * The choice is the cheapest assignment of the runtime layers (in runtime
 * order) to client or server, by dynamic programming over two states, where
 * only uploaded layers may go to the server, switching sides costs the
 * transfer of the tensors crossing the boundary (bytes / bandwidth), and the
 * query starts and ends on the client (IONN §5.1's execution graph, on the
 * runtime order).
 *
 * @module
 */
import type { Layer, Network } from "../model/types.js";
import type { ServerLoad } from "./types.js";

export type { ServerLoad } from "./types.js";

/** Costs {@link loadAwarePlacement} plans with. */
export interface PlacementCosts {
  /** Client time of each runtime layer (ms), indexed by runtime index. */
  readonly clientMs: ArrayLike<number>;
  /** Unloaded server time of each runtime layer (ms). */
  readonly serverMs: ArrayLike<number>;
  /** Link bandwidth (Mbit/s) for boundary tensors. */
  readonly mbps: number;
}

const tensorBytes = (layer: Layer, top: number): number => 4 * (layer.outputShapes[top] ?? []).reduce((a, b) => a * b, 1);

/**
 * Build a placement function for {@link OffloadingClientOptions.placement}:
 * given the uploaded layers and the last load report, the uploaded layers to
 * run on the server. Without a load report the server is taken as idle.
 * Cost per call: O(layers + edges).
 *
 * @example
 * ```ts
 * const placement = loadAwarePlacement(network, { clientMs, serverMs, mbps: 80 });
 * const client = new OffloadingClient({ ..., placement });
 * ```
 */
export function loadAwarePlacement(network: Network, costs: PlacementCosts): (uploaded: ReadonlySet<number>, load?: ServerLoad) => Set<number> {
  const layers = network.layers;
  const msPerByte = 8 / (costs.mbps * 1e3); // bytes → ms at mbps Mbit/s
  // Bytes of the tensors a layer reads from earlier layers (what crosses when it starts a run on the other side).
  const inBytes = layers.map((layer) => layer.inputs.reduce((a, ref) => a + tensorBytes(layers[ref.layer]!, ref.top), 0));
  const outBytes = layers.map((layer) => layer.tops.reduce((a, _, top) => a + tensorBytes(layer, top), 0));
  return (uploaded, load) => {
    const rho = Math.min(0.95, Math.max(0, load?.utilization ?? 0));
    const stretch = 1 / (1 - rho);
    const queueMs = Math.max(0, load?.queueMs ?? 0);
    const n = layers.length;
    // best[i][s]: cheapest cost of layers < i with layer i−1 on side s (0 client, 1 server); from[i][s] the previous side.
    const cost = [new Float64Array(n + 1), new Float64Array(n + 1)];
    const from = [new Uint8Array(n + 1), new Uint8Array(n + 1)];
    cost[0]![0] = 0;
    cost[1]![0] = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const layer = layers[i]!;
      const onServerAllowed = uploaded.has(i) && layer.type !== "Input";
      const client = costs.clientMs[i] ?? 0;
      const server = (costs.serverMs[i] ?? 0) * stretch;
      const cross = inBytes[i]! * msPerByte;
      // to client
      const cc = cost[0]![i]! + client;
      const sc = cost[1]![i]! + client + cross;
      cost[0]![i + 1] = Math.min(cc, sc);
      from[0]![i + 1] = cc <= sc ? 0 : 1;
      if (onServerAllowed) {
        const cs = cost[0]![i]! + server + cross + queueMs;
        const ss = cost[1]![i]! + server;
        cost[1]![i + 1] = Math.min(cs, ss);
        from[1]![i + 1] = ss < cs ? 1 : 0;
      } else cost[1]![i + 1] = Number.POSITIVE_INFINITY;
    }
    // End on the client: the last server run sends its outputs back.
    let side = cost[0]![n]! <= cost[1]![n]! + (n > 0 ? outBytes[n - 1]! * msPerByte : 0) ? 0 : 1;
    const chosen = new Set<number>();
    for (let i = n; i > 0; i--) {
      if (side === 1) chosen.add(i - 1);
      side = from[side]![i]!;
    }
    return chosen;
  };
}
