/**
 * Resuming an upload on a new connection (issue 12): which partitions of the
 * plan still have to travel, given what the server says it holds. Kept as
 * one small function so the question "what do you hold?" can switch from
 * layer indices (`hello-ok.holds`) to content digests (issue 11) without
 * touching the client.
 *
 * @module
 */

/** What {@link resumeOrder} decides. */
export interface ResumePlan {
  /** Partitions the server already holds completely (no byte is sent again). */
  readonly held: readonly number[];
  /** Partitions to upload, in order: those no server has ACKed yet first, then those only a previous server had. */
  readonly toSend: readonly number[];
}

/**
 * Order the partitions to upload after (re)connecting.
 *
 * @param partitions runtime layer indices of each partition, in plan order (Input layers may be listed; they are never uploaded).
 * @param holds runtime indices of the layers the server holds.
 * @param ackedBefore partitions ACKed by some earlier server.
 * @param isInput whether a runtime layer is an Input layer (not uploaded).
 * Cost O(layers).
 * @example
 * ```ts
 * resumeOrder([[1, 2], [3]], new Set([1, 2]), new Set([0])); // { held: [0], toSend: [1] }
 * ```
 */
export function resumeOrder(
  partitions: readonly (readonly number[])[],
  holds: ReadonlySet<number>,
  ackedBefore: ReadonlySet<number>,
  isInput: (layer: number) => boolean = () => false,
): ResumePlan {
  const held: number[] = [];
  const fresh: number[] = [];
  const again: number[] = [];
  partitions.forEach((layers, index) => {
    const uploaded = layers.filter((l) => !isInput(l));
    if (uploaded.length > 0 && uploaded.every((l) => holds.has(l))) held.push(index);
    else if (ackedBefore.has(index)) again.push(index);
    else fresh.push(index);
  });
  return { held, toSend: [...fresh, ...again] };
}
