/**
 * What `ionn client` says about each query: where it ran and why it was or
 * was not faster than running the whole network on this client.
 *
 * @module
 */

/** One query's explanation. */
export interface QueryExplanation {
  /** `"client"` (nothing offloaded), `"split"` (some layers on the server) or `"server"` (every non-input layer on the server). */
  readonly ranOn: "client" | "split" | "server";
  /** Latency minus the measured all-local latency, ms (negative = faster). */
  readonly vsLocalMs: number;
  /** Whether the query beat the all-local latency by more than 5 %. */
  readonly fasterThanLocal: boolean;
  /** One sentence: why. */
  readonly why: string;
}

/** The facts a query is explained from. */
export interface QueryFacts {
  readonly latencyMs: number;
  /** Median latency of the whole network run on this client, ms. */
  readonly localMs: number;
  readonly serverLayers: number;
  /** Non-input layers of the network. */
  readonly totalLayers: number;
  readonly fellBack: boolean;
  readonly partitionsAcked: number;
  readonly partitions: number;
  /** The client's send rate limit, Mbps, if any. */
  readonly throttleMbps?: number;
  /** This is the first query with this many server layers (the server just received a partition). */
  readonly firstOnThisSplit?: boolean;
  /** The upload is still under way (the query's tensors share the client's link with it). */
  readonly uploadInProgress?: boolean;
}

/** Explain one query (pure; the rules are listed in docs/guide-own-data.md, "The real demo"). */
export function explainQuery(facts: QueryFacts): QueryExplanation {
  const vsLocalMs = facts.latencyMs - facts.localMs;
  const fasterThanLocal = facts.latencyMs < facts.localMs * 0.95;
  const ranOn = facts.serverLayers === 0 ? "client" : facts.serverLayers >= facts.totalLayers ? "server" : "split";
  const local = `${facts.localMs.toFixed(0)} ms all-local`;
  let why: string;
  if (facts.fellBack) {
    why = `a server call failed or timed out, so its layers ran here; ${local}`;
  } else if (facts.serverLayers === 0) {
    why =
      facts.partitionsAcked === 0
        ? `no partition is on the server yet (upload under way${facts.throttleMbps !== undefined ? ` at ${facts.throttleMbps} Mbps` : ""}), so it ran here like a local run`
        : `the plan keeps these layers here: the uploaded ones do not pay off yet without the next partition`;
  } else if (fasterThanLocal) {
    why = `${facts.serverLayers} layers ran on the server, which computed them faster than this client would, net of sending the boundary tensors (${local})`;
  } else if (facts.firstOnThisSplit) {
    why = `${facts.serverLayers} layers ran on the server for the first time since their partition arrived: the server prepared them (with --executor ort it builds an ONNX Runtime session) while this query waited; ${local}`;
  } else if (facts.uploadInProgress && facts.throttleMbps !== undefined) {
    why = `${facts.serverLayers} layers ran on the server, but the query's tensors shared the ${facts.throttleMbps} Mbps send limit with the upload still under way, so it was not faster than ${local}`;
  } else {
    why =
      `${facts.serverLayers} layers ran on the server but the query was not faster than ${local}: ` +
      `the server's compute time plus the transfers was not below this client's (the client cannot see which executor the server runs: ` +
      `if it is \`ionn serve\`'s default reference executor on this same machine, both ends run the same code and offloading only adds the transfers, ` +
      `and \`ionn serve --executor ort\` gives the server ONNX Runtime; a server still preparing newly arrived layers is also slow for a query or two)`;
  }
  return { ranOn, vsLocalMs, fasterThanLocal, why };
}
