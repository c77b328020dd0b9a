/**
 * Axis arithmetic shared by ONNX shape inference (`shapes.ts`) and constant
 * folding (`fold.ts`): a leaf module, so neither imports the other for it.
 *
 * @module
 */

/** Normalise a possibly negative axis for a tensor of rank `rank`. */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * ONNX Slice's per-axis windows: for each axis of `shape`, the first index,
 * the step and the output size, after the operator's clamping rules
 * (negative starts/ends count from the end; out-of-range values clamp;
 * a negative step walks backwards). `undefined` when a step is 0.
 */
export function sliceRanges(
  shape: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): { start: number; step: number; size: number }[] | undefined {
  const ranges = shape.map((d) => ({ start: 0, step: 1, size: d }));
  const axisList = axes ?? starts.map((_, i) => i);
  for (let k = 0; k < axisList.length; k++) {
    const axis = normalizeAxis(axisList[k]!, shape.length);
    const dim = shape[axis]!;
    const step = steps?.[k] ?? 1;
    if (step === 0) return undefined;
    let start = starts[k]!;
    let end = ends[k]!;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    let size: number;
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
      size = Math.max(0, Math.ceil((end - start) / step));
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
      size = Math.max(0, Math.ceil((start - end) / -step));
    }
    ranges[axis] = { start, step, size };
  }
  return ranges;
}

