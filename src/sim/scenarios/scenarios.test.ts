/** Calibrations by name, the upload-overhead wrapper and the link fit, with hand-computed values. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../errors.js";
import type { Transport } from "../../runtime/types.js";
import { VirtualClock } from "../clock.js";
import { calibrationByName, CALIBRATION_NAMES, fitLink, PAPER_2018_CALIBRATION, PROFILES_2019_CALIBRATION, withUploadOverhead } from "./index.js";

function fakeTransport(clock: VirtualClock, uploadMs: number): Transport {
  return {
    open: async () => ({ sessionId: "s" }),
    upload: async (partition) => {
      await clock.sleep(uploadMs);
      return { index: partition.index, layers: [] };
    },
    execute: async () => new Map(),
    close: async () => undefined,
  };
}

async function ackTimes(per: "session" | "partition"): Promise<number[]> {
  const clock = new VirtualClock();
  const transport = withUploadOverhead(fakeTransport(clock, 10), clock, 100, per);
  return clock.run(async () => {
    const times: number[] = [];
    for (let index = 0; index < 3; index++) {
      await transport.upload({ index, layers: [] } as never);
      times.push(clock.now());
    }
    return times;
  });
}

describe("withUploadOverhead", () => {
  it("session: only the first ACK is 100 ms late (10 → 110, then +10 each)", async () => {
    expect(await ackTimes("session")).toEqual([110, 120, 130]);
  });
  it("partition: every ACK is 100 ms late (110, 220, 330)", async () => {
    expect(await ackTimes("partition")).toEqual([110, 220, 330]);
  });
  it("0 ms returns the transport itself; a negative overhead or an unknown rule is an error", () => {
    const clock = new VirtualClock();
    const t = fakeTransport(clock, 1);
    expect(withUploadOverhead(t, clock, 0)).toBe(t);
    expect(() => withUploadOverhead(t, clock, -1)).toThrow(InvalidArgumentError);
    expect(() => withUploadOverhead(t, clock, 5, "each" as never)).toThrow(/per must be/);
  });
});

describe("calibrationByName", () => {
  it("knows profiles-2019 and paper-2018", () => {
    expect(CALIBRATION_NAMES).toEqual(["profiles-2019", "paper-2018"]);
    expect(calibrationByName("profiles-2019")).toBe(PROFILES_2019_CALIBRATION);
    expect(calibrationByName("paper-2018")).toBe(PAPER_2018_CALIBRATION);
    expect(PAPER_2018_CALIBRATION.ionnFinalRound).toBe(false);
    expect(PAPER_2018_CALIBRATION.power.overlap).toBe("add");
    expect(PROFILES_2019_CALIBRATION.ionnFinalRound).toBe(true);
  });
  it("an unknown name or a bad custom field is an InvalidArgumentError naming it", () => {
    expect(() => calibrationByName("paper-2017")).toThrow(/unknown calibration "paper-2017"/);
    expect(() => calibrationByName({ ...PAPER_2018_CALIBRATION, linkEfficiency: 0 })).toThrow(/linkEfficiency/);
    expect(() => calibrationByName({ ...PAPER_2018_CALIBRATION, uploadOverheadMs: -1 })).toThrow(/uploadOverheadMs/);
  });
});

describe("fitLink", () => {
  it("recovers an exact line: 100 ms + bytes at 80 Mbps (10 000 bytes per ms)", () => {
    const fit = fitLink([
      { network: "a", bytes: 1e6, otherMs: 5, paperMs: 205 },
      { network: "b", bytes: 3e6, otherMs: 0, paperMs: 400 },
      { network: "c", bytes: 2e6, otherMs: 10, paperMs: 310 },
    ]);
    expect(fit.overheadMs).toBeCloseTo(100, 9);
    expect(fit.mbps).toBeCloseTo(80, 9);
    expect(fit.rmseS).toBeCloseTo(0, 12);
  });
  it("is least squares: residuals sum to zero and are orthogonal to the bytes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1e8 }), fc.double({ min: 100, max: 1e5, noNaN: true })), { minLength: 3, maxLength: 8 }), (rows) => {
        fc.pre(new Set(rows.map((r) => r[0])).size > 1);
        let fit;
        try {
          fit = fitLink(rows.map(([bytes, paperMs], i) => ({ network: String(i), bytes, otherMs: 0, paperMs })));
        } catch (e) {
          return e instanceof InvalidArgumentError; // a non-positive slope is refused
        }
        const res = fit.residuals.map((r) => r.residualS);
        const scale = Math.max(...rows.map((r) => r[1])) / 1000;
        expect(Math.abs(res.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6 * scale * rows.length);
        const cross = res.reduce((s, r, i) => s + r * rows[i]![0], 0);
        expect(Math.abs(cross)).toBeLessThan(1e-6 * scale * rows.reduce((s, r) => s + r[0], 0));
        return true;
      }),
      { numRuns: 200 },
    );
  });
  it("every criterion recovers an exact line", () => {
    const points = [
      { network: "a", bytes: 1e6, otherMs: 5, paperMs: 205 },
      { network: "b", bytes: 3e6, otherMs: 0, paperMs: 400 },
      { network: "c", bytes: 2e6, otherMs: 10, paperMs: 310 },
    ];
    for (const criterion of ["least-squares", "relative-least-squares", "relative-minimax"] as const) {
      const fit = fitLink(points, criterion);
      expect(fit.criterion).toBe(criterion);
      expect(fit.overheadMs).toBeCloseTo(100, 6);
      expect(fit.mbps).toBeCloseTo(80, 6);
      expect(fit.maxRelativeError).toBeLessThan(1e-9);
    }
  });
  it("relative-minimax on three points equioscillates: hand-solved example", () => {
    // Points (bytes, paper ms) with otherMs 0: (0, 100), (1e6, 300), (2e6, 300).
    // Relative errors r_i = (a + b x_i) / y_i − 1. The minimax line makes r_1 = −r_2 = r_3 = h (or the opposite signs):
    // (a)/100 − 1 = h, (a + 1e6 b)/300 − 1 = −h, (a + 2e6 b)/300 − 1 = h.
    // From the last two: 1e6 b / 300 = 2h → b = 600h / 1e6. From the first: a = 100(1 + h).
    // Second: (100 + 100h + 600h)/300 = 1 − h → 100 + 700h = 300 − 300h → h = 0.2, a = 120, b = 1.2e-4 ms per byte.
    const fit = fitLink(
      [
        { network: "p", bytes: 0, otherMs: 0, paperMs: 100 },
        { network: "q", bytes: 1e6, otherMs: 0, paperMs: 300 },
        { network: "r", bytes: 2e6, otherMs: 0, paperMs: 300 },
      ],
      "relative-minimax",
    );
    expect(fit.overheadMs).toBeCloseTo(120, 9);
    expect(fit.mbps).toBeCloseTo(8 / (1.2e-4 * 1000), 9);
    expect(fit.maxRelativeError).toBeCloseTo(0.2, 12);
    expect(fit.residuals.map((r) => r.ratio)).toEqual([expect.closeTo(1.2, 12), expect.closeTo(0.8, 12), expect.closeTo(1.2, 12)]);
  });
  it("relative-minimax is no worse in its norm than either least-squares fit, nor than random lines near it (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1e8 }), fc.double({ min: 100, max: 1e5, noNaN: true })), { minLength: 3, maxLength: 7 }),
        fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        (rows, da, db) => {
          fc.pre(new Set(rows.map((r) => r[0])).size > 1);
          const points = rows.map(([bytes, paperMs], i) => ({ network: String(i), bytes, otherMs: 0, paperMs }));
          let mm;
          try {
            mm = fitLink(points, "relative-minimax");
          } catch (e) {
            return e instanceof InvalidArgumentError;
          }
          for (const criterion of ["least-squares", "relative-least-squares"] as const) {
            try {
              expect(mm.maxRelativeError).toBeLessThanOrEqual(fitLink(points, criterion).maxRelativeError + 1e-9);
            } catch (e) {
              if (!(e instanceof InvalidArgumentError)) throw e;
            }
          }
          // A perturbed line (overhead and slope moved by up to 5 %) is never better in the max-relative norm.
          const a = mm.overheadMs + da * Math.max(1, Math.abs(mm.overheadMs));
          const b = (8 / (mm.mbps * 1000)) * (1 + db);
          const worst = Math.max(...points.map((p) => Math.abs((a + b * p.bytes) / p.paperMs - 1)));
          expect(mm.maxRelativeError).toBeLessThanOrEqual(worst + 1e-9);
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
  it("an unknown criterion or a paper time ≤ 0 is an InvalidArgumentError", () => {
    const points = [
      { network: "a", bytes: 1, otherMs: 0, paperMs: 1 },
      { network: "b", bytes: 2, otherMs: 0, paperMs: 2 },
    ];
    expect(() => fitLink(points, "median" as never)).toThrow(/unknown criterion/);
    expect(() => fitLink([{ ...points[0]!, paperMs: 0 }, points[1]!], "relative-minimax")).toThrow(/not positive/);
  });
  it("refuses fewer than 2 points or equal byte counts", () => {
    expect(() => fitLink([{ network: "a", bytes: 1, otherMs: 0, paperMs: 1 }])).toThrow(/at least 2/);
    expect(() => fitLink([{ network: "a", bytes: 1, otherMs: 0, paperMs: 1 }, { network: "b", bytes: 1, otherMs: 0, paperMs: 2 }])).toThrow(/same byte count/);
  });
});
