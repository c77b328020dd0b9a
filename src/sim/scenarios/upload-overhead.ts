/**
 * A fixed cost on partition uploads (the `paper-2018` calibration's link
 * overhead): an upload's ACK reaches the client a fixed time after its bytes
 * have crossed the link, either on the session's first upload only
 * (`"session"`: connection set-up and the server's first model build, paid
 * once however the model is split) or on every partition (`"partition"`).
 * The wait occupies no bandwidth: feature maps of queries cross the link
 * meanwhile, and the client's radio is idle (see `energy.ts`).
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Transport } from "../../runtime/types.js";

/** Something that can wait on the simulation's clock (a {@link VirtualClock} fits). */
export interface Sleeper {
  /** Resolve after `ms` of (virtual) time. */
  sleep(ms: number): Promise<void>;
}

/** Which uploads pay the overhead: the session's first one, or every partition. */
export type UploadOverheadPer = "session" | "partition";

/**
 * Wrap a transport so that `upload` (one partition, sent after the previous
 * one's ACK, as the paper's runtime did) resolves `overheadMs` after the
 * inner transport's ACK: on the first upload only (`per: "session"`, the
 * default) or on each (`"partition"`). Other calls pass through.
 * `overheadMs = 0` returns `transport` itself.
 *
 * @throws {InvalidArgumentError} when `overheadMs` is negative or not finite, or `per` is unknown.
 * @example
 * ```ts
 * const transport = withUploadOverhead(inMemoryTransport(server, { link }), clock, 400);
 * ```
 */
export function withUploadOverhead(transport: Transport, clock: Sleeper, overheadMs: number, per: UploadOverheadPer = "session"): Transport {
  if (!(overheadMs >= 0) || !Number.isFinite(overheadMs)) throw new InvalidArgumentError(`upload overhead must be a finite number of ms ≥ 0, got ${overheadMs}`);
  if (per !== "session" && per !== "partition") throw new InvalidArgumentError(`upload overhead: per must be "session" or "partition", got ${String(per)}`);
  if (overheadMs === 0) return transport;
  let uploads = 0;
  return {
    open: (network) => transport.open(network),
    async upload(partition) {
      const ack = await transport.upload(partition);
      if (per === "partition" || uploads++ === 0) await clock.sleep(overheadMs);
      return ack;
    },
    execute: (request) => transport.execute(request),
    close: () => transport.close(),
  };
}
