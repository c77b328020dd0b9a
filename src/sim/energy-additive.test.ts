/** Additive client power (the `paper-2018` calibration): radio and CPU draws above idle add up; values by hand. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { clientEnergy, ODROID_XU4_POWER, ODROID_XU4_POWER_ADDITIVE, type PowerModel } from "./energy.js";

describe("clientEnergy with overlap: add", () => {
  it("uses the authors' Odroid-XU4 levels", () => {
    expect(ODROID_XU4_POWER_ADDITIVE).toEqual({ idleW: 3.977, transmittingW: 6.611, computingW: 7.239, overlap: "add" });
  });

  it("hand example: 100 ms of the 200 ms computing overlap transmitting and draw 7.239 + 6.611 − 3.977 W", () => {
    // 1 s: computing 0–200 ms, transmitting 100–400 ms → both 100–200, computing only 0–100, transmitting only 200–400, idle 600 ms.
    const e = clientEnergy([[0, 200]], [[100, 400]], 0, 1000, ODROID_XU4_POWER_ADDITIVE);
    expect(e.bothMs).toBe(100);
    expect(e.computingMs).toBe(200);
    expect(e.transmittingMs).toBe(200);
    expect(e.idleMs).toBe(600);
    expect(e.joules).toBeCloseTo(0.1 * 7.239 + 0.1 * (7.239 + 6.611 - 3.977) + 0.2 * 6.611 + 0.6 * 3.977, 12);
  });

  it("equals the computing-wins energy plus the radio's increment over the overlap (property)", () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 200 })).map(([a, d]) => [a, a + d] as const);
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), fc.array(interval, { maxLength: 12 }), (computing, transmitting) => {
        const wins = clientEnergy(computing, transmitting, 0, 1000, ODROID_XU4_POWER);
        const add = clientEnergy(computing, transmitting, 0, 1000, ODROID_XU4_POWER_ADDITIVE);
        expect(add.bothMs).toBe(wins.bothMs);
        expect(add.joules).toBeCloseTo(wins.joules + (wins.bothMs / 1000) * (6.611 - 3.977), 9);
        expect(add.joules).toBeLessThanOrEqual(7.239 + 6.611 - 3.977 + 1e-9);
      }),
    );
  });

  it("rejects an unknown overlap rule, naming the field", () => {
    const bad = { ...ODROID_XU4_POWER, overlap: "max" } as unknown as PowerModel;
    expect(() => clientEnergy([], [], 0, 1, bad)).toThrow(InvalidArgumentError);
    expect(() => clientEnergy([], [], 0, 1, bad)).toThrow(/power\.overlap/);
  });
});
