/**
 * Laws of the ONNX shape rules (fast-check): sliding windows fit the padded
 * input, SAME padding gives ceil(in / stride), ceil mode adds at most one
 * window, which starts inside the input or its begin padding, broadcasting is
 * commutative, Reshape keeps the element count.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastShapes, reshapeTarget, windowGeometry } from "./shapes.js";

const window = fc.record({
  size: fc.integer({ min: 1, max: 300 }),
  kernel: fc.integer({ min: 1, max: 11 }),
  stride: fc.integer({ min: 1, max: 5 }),
  dilation: fc.integer({ min: 1, max: 3 }),
  padBegin: fc.integer({ min: 0, max: 5 }),
  padEnd: fc.integer({ min: 0, max: 5 }),
});

describe("windowGeometry", () => {
  it("explicit pads, floor: the last window fits and one more would not", () => {
    fc.assert(
      fc.property(window, ({ size, kernel, stride, dilation, padBegin, padEnd }) => {
        const dk = (kernel - 1) * dilation + 1;
        fc.pre(size + padBegin + padEnd >= dk);
        const [out] = windowGeometry([size], [kernel], [stride], [dilation], [padBegin, padEnd], "NOTSET", false).outSpatial;
        expect((out! - 1) * stride + dk).toBeLessThanOrEqual(size + padBegin + padEnd);
        expect(out! * stride + dk).toBeGreaterThan(size + padBegin + padEnd);
      }),
    );
  });

  it("ceil mode adds at most one window, and only one that starts inside the input or its begin padding", () => {
    fc.assert(
      fc.property(window, ({ size, kernel, stride, dilation, padBegin, padEnd }) => {
        const dk = (kernel - 1) * dilation + 1;
        // ONNX Runtime requires pads smaller than the kernel for pooling
        fc.pre(size + padBegin + padEnd >= dk && padBegin < dk && padEnd < dk);
        const floor = windowGeometry([size], [kernel], [stride], [dilation], [padBegin, padEnd], "NOTSET", false).outSpatial[0]!;
        const ceil = windowGeometry([size], [kernel], [stride], [dilation], [padBegin, padEnd], "NOTSET", true).outSpatial[0]!;
        expect(ceil - floor).toBeGreaterThanOrEqual(0);
        expect(ceil - floor).toBeLessThanOrEqual(1);
        if (ceil > floor) expect((ceil - 1) * stride).toBeLessThan(size + padBegin);
      }),
    );
  });

  it("SAME_UPPER / SAME_LOWER: ceil(in / stride) outputs, the pads just cover the windows, the odd pad at the end / start", () => {
    fc.assert(
      fc.property(window, fc.boolean(), ({ size, kernel, stride, dilation }, upper) => {
        const dk = (kernel - 1) * dilation + 1;
        const g = windowGeometry([size], [kernel], [stride], [dilation], undefined, upper ? "SAME_UPPER" : "SAME_LOWER", false);
        const out = g.outSpatial[0]!;
        expect(out).toBe(Math.ceil(size / stride));
        const total = g.padsBegin[0]! + g.padsEnd[0]!;
        expect(total).toBe(Math.max((out - 1) * stride + dk - size, 0));
        expect(upper ? g.padsEnd[0]! - g.padsBegin[0]! : g.padsBegin[0]! - g.padsEnd[0]!).toBe(total % 2);
      }),
    );
  });
});

describe("broadcastShapes and reshapeTarget", () => {
  const shape = fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 4 });

  it("broadcasting is commutative and a shape broadcasts with itself to itself", () => {
    fc.assert(
      fc.property(shape, shape, (a, b) => {
        expect(broadcastShapes([a, b])).toEqual(broadcastShapes([b, a]));
        expect(broadcastShapes([a, a])).toEqual(a);
        expect(broadcastShapes([a, [1]])).toEqual(a.length === 0 ? [1] : a);
      }),
    );
  });

  it("a resolved Reshape target keeps the element count; -1 takes the rest", () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 4 }), (dims, cut) => {
        const total = dims.reduce((x, y) => x * y, 1);
        const head = dims.slice(0, Math.min(cut, dims.length));
        const target = [...head, -1];
        const resolved = reshapeTarget(dims, target, true)!;
        expect(resolved.reduce((x, y) => x * y, 1)).toBe(total);
        expect(resolved.slice(0, head.length)).toEqual(head);
      }),
    );
  });

  it("a 0 in the target copies the input dimension unless allowzero", () => {
    expect(reshapeTarget([2, 3, 4], [0, -1], false)).toEqual([2, 12]);
    expect(reshapeTarget([2, 3, 4], [0, -1], true)).toBeUndefined();
  });
});
