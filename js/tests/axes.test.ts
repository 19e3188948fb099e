import { describe, expect, it } from "vitest";
import { niceTicks } from "../axes";

/** The tick step: 1, 2 or 5 times a power of ten. */
function isNiceStep(step: number): boolean {
  const mag = Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
  return [1, 2, 5, 10].some((m) => Math.abs(step / mag - m) < 1e-6);
}

describe("niceTicks", () => {
  it("picks round values", () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-1000, 1000, 4)).toEqual([-1000, -500, 0, 500, 1000]);
    expect(niceTicks(0.3, 2.9, 5)).toEqual([0.5, 1, 1.5, 2, 2.5]);
  });

  it("gives an exact zero, not a rounding error, where the range crosses it", () => {
    const ticks = niceTicks(-0.3, 0.3, 6);
    expect(ticks).toContain(0);
    expect(ticks.some((v) => v !== 0 && Math.abs(v) < 1e-12)).toBe(false);
  });

  it("returns the one value of an empty range, ticks a reversed one as its sorted range, none for NaN", () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(7, 3)).toEqual(niceTicks(3, 7)); // an inverted axis keeps its ticks
    expect(niceTicks(7, 3)).toEqual([3, 4, 5, 6, 7]);
    expect(niceTicks(1, NaN)).toEqual([]);
  });

  it("ticks lie in the range, evenly spaced by a nice step, about `target` of them", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) {
      const span = Math.pow(10, -3 + 9 * rand());
      const lo = (rand() - 0.5) * 4 * span;
      const hi = lo + span;
      const target = 2 + Math.floor(rand() * 5);
      const ticks = niceTicks(lo, hi, target);
      const eps = span * 1e-9;
      expect(ticks.length, `${lo}..${hi} (${target})`).toBeGreaterThanOrEqual(Math.max(1, Math.floor(target / 2)));
      expect(ticks.length).toBeLessThanOrEqual(2 * target + 1);
      for (const v of ticks) {
        expect(v).toBeGreaterThanOrEqual(lo - eps);
        expect(v).toBeLessThanOrEqual(hi + eps);
      }
      if (ticks.length > 1) {
        const step = ticks[1] - ticks[0];
        expect(isNiceStep(step), `step ${step}`).toBe(true);
        expect(ticks.slice(1).every((v, k) => Math.abs(v - ticks[k] - step) < step * 1e-6)).toBe(true);
        // no room for another tick below the first or above the last
        expect(ticks[0] - step).toBeLessThan(lo + eps);
        expect(ticks[ticks.length - 1] + step).toBeGreaterThan(hi - eps);
      }
    }
  });
});
