/** Tests of client energy accounting (IONN §6.4, Figure 8) with the authors' power constants; values by hand. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { clientEnergy, ODROID_XU4_POWER } from "./energy.js";

describe("clientEnergy", () => {
  it("uses the constants of the authors' code", () => {
    expect(ODROID_XU4_POWER).toEqual({ idleW: 3.977, transmittingW: 6.611, computingW: 7.239 });
  });

  it("computes a hand example with overlapping computing and transmitting (computing wins)", () => {
    // 1 s: computing 0–200 ms; transmitting 100–400 ms → 200 ms computing, 200 ms transmitting, 600 ms idle.
    const e = clientEnergy([[0, 200]], [[100, 400]], 0, 1000);
    expect(e.computingMs).toBe(200);
    expect(e.transmittingMs).toBe(200);
    expect(e.idleMs).toBe(600);
    expect(e.joules).toBeCloseTo(0.2 * 7.239 + 0.2 * 6.611 + 0.6 * 3.977, 12);
  });

  it("clips to the window and merges overlapping intervals", () => {
    const e = clientEnergy([[-50, 20], [10, 30], [900, 1200]], [[500, 600], [550, 700]], 0, 1000);
    expect(e.computingMs).toBe(130); // 0–30 and 900–1000
    expect(e.transmittingMs).toBe(200); // 500–700
    expect(e.idleMs).toBe(670);
  });

  it("rejects a reversed window", () => {
    expect(() => clientEnergy([], [], 10, 0)).toThrow(InvalidArgumentError);
  });

  it("state times always add up to the window; energy lies between idle and computing power (property)", () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 200 })).map(([a, d]) => [a, a + d] as const);
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.array(interval, { maxLength: 12 }), (computing, transmitting) => {
        const e = clientEnergy(computing, transmitting, 0, 1000);
        expect(e.computingMs + e.transmittingMs + e.idleMs).toBeCloseTo(1000, 9);
        expect(e.joules).toBeGreaterThanOrEqual(3.977 - 1e-9);
        expect(e.joules).toBeLessThanOrEqual(7.239 + 1e-9);
      }),
    );
  });
});
