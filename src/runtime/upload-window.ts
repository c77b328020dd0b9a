/**
 * Pipelined uploads: at most `window` partitions in flight (sent, not yet
 * ACKed), started in plan order, so the next partition travels while the
 * server decodes and loads the previous one. With a window of 1 this is the
 * paper's loop (partition i + 1 after the ACK of partition i). A send that
 * reports failure stops new sends; those in flight finish (or fail) on their
 * own, and whatever was not ACKed is sent again after a reconnect (the
 * client records ACKs only).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * Run `send(index)` for each index of `order`, at most `window` at a time,
 * starting them in order. `order` is either a list or a function asked for
 * the next index each time a lane is free (`undefined`: nothing left for
 * now), so a plan can change while the upload runs (re-planning, resuming).
 * `send` resolves `true` when its partition was ACKed, `false` when the
 * upload must stop. Resolves when every started send has settled. `O(order)`.
 *
 * @throws {InvalidArgumentError} when `window` is not an integer ≥ 1.
 * @example
 * ```ts
 * await runUploadWindow([0, 1, 2], 2, async (i) => { await transport.upload(parts[i]); return true; });
 * ```
 */
export async function runUploadWindow(order: readonly number[] | (() => number | undefined), window: number, send: (index: number) => Promise<boolean>): Promise<void> {
  if (!Number.isInteger(window) || window < 1) throw new InvalidArgumentError(`uploadWindow must be an integer ≥ 1, got ${String(window)}`);
  let position = 0;
  const next: () => number | undefined = typeof order === "function" ? order : () => (position < order.length ? order[position++] : undefined);
  let stopped = false;
  const lane = async (): Promise<void> => {
    for (let index = stopped ? undefined : next(); index !== undefined; index = stopped ? undefined : next()) {
      const ok = await send(index).catch(() => false);
      if (!ok) stopped = true;
    }
  };
  const lanes: Promise<void>[] = [];
  for (let i = 0; i < window; i++) lanes.push(lane());
  await Promise.all(lanes);
}
