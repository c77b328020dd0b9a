/** Tests of the virtual clock (IONN §6 simulator): event order, cancellation, deadlock detection. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { SimulationError, VirtualClock } from "./clock.js";

describe("VirtualClock", () => {
  it("fires sleeps in time order and sets now() to each event's time", async () => {
    const clock = new VirtualClock();
    const seen: [string, number][] = [];
    const result = await clock.run(async () => {
      await Promise.all([
        clock.sleep(30).then(() => seen.push(["c", clock.now()])),
        clock.sleep(10).then(() => seen.push(["a", clock.now()])),
        clock.sleep(20).then(() => seen.push(["b", clock.now()])),
      ]);
      return clock.now();
    });
    expect(seen).toEqual([["a", 10], ["b", 20], ["c", 30]]);
    expect(result).toBe(30);
  });

  it("breaks ties by scheduling order", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    await clock.run(async () => {
      await Promise.all([0, 1, 2, 3, 4].map((i) => clock.sleep(5).then(() => seen.push(i))));
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("runs the async continuation of one event before the next event fires", async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    await clock.run(async () => {
      const a = (async () => {
        await clock.sleep(10);
        await Promise.resolve();
        await Promise.resolve();
        seen.push("a after two microtask hops");
        clock.schedule(0, () => seen.push("scheduled by a at 10"));
      })();
      const b = clock.sleep(10).then(() => seen.push("b at 10"));
      const c = clock.sleep(11).then(() => seen.push("c at 11"));
      await Promise.all([a, b, c]);
    });
    expect(seen).toEqual(["a after two microtask hops", "b at 10", "scheduled by a at 10", "c at 11"]);
  });

  it("skips cancelled events without advancing time", async () => {
    const clock = new VirtualClock();
    let fired = false;
    const end = await clock.run(async () => {
      const cancel = clock.schedule(100, () => {
        fired = true;
      });
      await clock.sleep(5);
      cancel();
      return clock.now();
    });
    expect(fired).toBe(false);
    expect(end).toBe(5);
    expect(clock.eventsFired()).toBe(1);
  });

  it("reports a deadlock with SimulationError and rejects bad delays", async () => {
    const clock = new VirtualClock();
    await expect(clock.run(() => new Promise<void>(() => undefined))).rejects.toBeInstanceOf(SimulationError);
    expect(() => clock.schedule(-1, () => undefined)).toThrow(InvalidArgumentError);
    expect(() => clock.schedule(Number.NaN, () => undefined)).toThrow(InvalidArgumentError);
  });

  it("propagates the main function's error", async () => {
    const clock = new VirtualClock();
    await expect(
      clock.run(async () => {
        await clock.sleep(1);
        throw new RangeError("boom");
      }),
    ).rejects.toThrow("boom");
  });

  it("fires any set of events in (time, scheduling order) order (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }), async (delays) => {
        const clock = new VirtualClock();
        const seen: number[] = [];
        await clock.run(async () => {
          await Promise.all(delays.map((d, i) => clock.sleep(d).then(() => seen.push(i))));
        });
        const expected = delays.map((d, i) => [d, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, i]) => i);
        expect(seen).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
