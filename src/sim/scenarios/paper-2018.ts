/**
 * The `paper-2018` calibration: the IONN paper's own scenario (SoCC '18,
 * §2 and §6.1) rather than the authors' 2019 published profiles.
 *
 * - **Client** (Odroid-XU4): "Local execution … takes 1.3 seconds" for
 *   AlexNet (§2). The paper gives no other network's local time in its text,
 *   so every network gets its 2019 base times (the published profile for
 *   AlexNet, GoogLeNet and ResNet-50, the `odroidXu4` device model for the
 *   others) times one device factor: 1300 ms over that base's AlexNet total
 *   (1300 / 821.7 for the published profiles, 1300 / 828.8 for the model).
 * - **Server** (GTX 1080 Ti): "one query will take about ~1 ms" (§2): the
 *   same construction with 1 ms over the base's AlexNet server total
 *   (1 / 1.640 published, 1 / 1.641 model).
 * - **Link**: one Wi-Fi link of nominal 80 Mbps (the planner is told 80, as
 *   the paper's client measured it) whose effective throughput and upload
 *   overhead are fitted to Table 2's all-at-once column so that the largest
 *   relative error is as small as possible ({@link fitLink} with
 *   `"relative-minimax"`: the acceptance is a relative bound on each cell;
 *   `fitPaper2018Link` in `bench/paper-2018-lib.ts` recomputes
 *   {@link PAPER_2018}'s two numbers and `test/paper-2018.test.ts` checks
 *   them). The overhead is paid once per upload session, not per partition:
 *   the paper calls the cost of more partitions (their ACKs) insignificant
 *   (§6.2), which a cost of the intercept's size on each partition is not;
 *   per partition the simulator charges the ACK round trip and the server's
 *   per-layer loading time. At another nominal bandwidth the throughput
 *   scales by the same fraction.
 * - **Energy**: the Odroid-XU4 levels of the authors' code (idle 3.977 W,
 *   transmitting 6.611 W, computing 7.239 W) with radio and CPU adding up
 *   ({@link ODROID_XU4_POWER_ADDITIVE}).
 * - **Algorithm 1 as printed**: threshold 0.01, no final round.
 * - Everything else as §6.1: 0.5 s pre-processing, partitions sent one at a
 *   time and ACKed, the authors' server loading-time model.
 *
 * @module
 */
import type { Network } from "../../model/types.js";
import { zooNetwork } from "../../model/zoo/index.js";
import { alignProfile } from "../../profile/profile.js";
import { hasPublishedProfiles, publishedClientProfile, publishedServerProfile } from "../../profile/published.js";
import { deviceProfile } from "../devices/profile.js";
import { ODROID_XU4_POWER_ADDITIVE } from "../energy.js";
import type { CalibratedCosts, Calibration } from "./index.js";

/** The paper's reported totals and the two fitted link parameters. */
export const PAPER_2018 = Object.freeze({
  /** AlexNet's local query time on the client, ms (§2: "1.3 seconds"). */
  clientAlexNetMs: 1300,
  /** AlexNet's query time on the server, ms (§2: "about ~1 ms"). */
  serverAlexNetMs: 1,
  /** The nominal Wi-Fi bandwidth, Mbps (§6.1: "about 80 Mbps"). */
  nominalMbps: 80,
  /** Fitted upload overhead, ms, paid once per session (minimax relative fit on Table 2's all-at-once column: 312.948 ms). */
  uploadOverheadMs: 312.948,
  /** Fitted effective throughput at the nominal 80 Mbps, Mbps (10^6 bit/s; the same fit: 67.1843 Mbps). */
  effectiveMbps: 67.1843,
});

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

function scaled(values: Float64Array, factor: number): Float64Array {
  for (let i = 0; i < values.length; i++) values[i]! *= factor;
  return values;
}

/**
 * Per-layer times of a network under `paper-2018` (see the module comment):
 * 2019 base times times the device factors that make AlexNet 1.3 s on the
 * client and 1 ms on the server. `O(layers)`.
 * @throws {ProfileMismatchError} if a published profile does not fit the network of that name.
 * @example
 * ```ts
 * const { clientMs } = paper2018Costs(zooNetwork("alexnet")); // sums to 1300 ms
 * ```
 */
export function paper2018Costs(network: Network): CalibratedCosts {
  const name = network.name;
  if (hasPublishedProfiles(name)) {
    const alexnet = zooNetwork("alexnet");
    const publishedAlexNet = { client: sum(alignProfile(alexnet, publishedClientProfile("alexnet"))), server: sum(alignProfile(alexnet, publishedServerProfile("alexnet"))) };
    return {
      clientMs: scaled(alignProfile(network, publishedClientProfile(name)), PAPER_2018.clientAlexNetMs / publishedAlexNet.client),
      serverMs: scaled(alignProfile(network, publishedServerProfile(name)), PAPER_2018.serverAlexNetMs / publishedAlexNet.server),
      name: "paper-2018: published profiles scaled to AlexNet 1.3 s client / 1 ms server",
    };
  }
  const alexnet = zooNetwork("alexnet");
  const modelAlexNet = { client: sum(deviceProfile("odroid-xu4", alexnet)), server: sum(deviceProfile("gtx-1080ti", alexnet)) };
  return {
    clientMs: scaled(deviceProfile("odroid-xu4", network), PAPER_2018.clientAlexNetMs / modelAlexNet.client),
    serverMs: scaled(deviceProfile("gtx-1080ti", network), PAPER_2018.serverAlexNetMs / modelAlexNet.server),
    name: "paper-2018: device models scaled to AlexNet 1.3 s client / 1 ms server",
  };
}

/** The `paper-2018` calibration (see the module comment). */
export const PAPER_2018_CALIBRATION: Calibration = Object.freeze({
  name: "paper-2018",
  description:
    "the paper's scenario: times scaled to AlexNet 1.3 s client / 1 ms server, link fitted to Table 2 (one upload overhead per session + effective throughput, minimax relative error), radio and CPU power adding, Algorithm 1 as printed (no final round)",
  costs: paper2018Costs,
  linkEfficiency: PAPER_2018.effectiveMbps / PAPER_2018.nominalMbps,
  uploadOverheadMs: PAPER_2018.uploadOverheadMs,
  uploadOverheadPer: "session" as const,
  latencyMs: 1,
  power: ODROID_XU4_POWER_ADDITIVE,
  ionnFinalRound: false,
  partitionsInFlight: 1 as const,
});
